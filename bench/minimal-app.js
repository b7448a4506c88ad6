// The baseline for bench/synth.bench.ts: a minimal cdk8s-plus app with one Deployment, written to argv[2].
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-27');

const app = new App({ outdir: process.argv[2] });
const chart = new Chart(app, 'minimal', { disableResourceNameHashes: true });
new kplus.Deployment(chart, 'web', { replicas: 1, containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
app.synth();
