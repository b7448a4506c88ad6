/** Ollama: embeddings (and other models) beside Qdrant. */
import { OLLAMA, OLLAMA_PULL_SCRIPT, ollamaEnvironment, ollamaImage, ollamaPullEnvironment } from '../../components/ollama';
import { modelDimensions, ollamaModels } from '../../config/embedding';
import { extraEnvironment } from '../../config/placement';
import { JOB_RESOURCES, ollamaResources } from '../../config/resources';
import { Ollama } from '../../constructs/ollama';
import { ANYWHERE } from '../../constructs/network-policies';
import type { LocalService } from '../../local/types';
import { instanceName, objectName } from '../../naming';
import type { StackComponent } from '../component';
import { jobRow, resourceRow, tcp } from './shared';

export const ollamaComponent: StackComponent = {
  key: 'ollama',
  enabled: (config) => config.ollama.enabled,
  secrets: () => [],

  kubernetes({ scope, config, namespace }) {
    const { enabled: _enabled, ...model } = config.ollama;
    const ollama = new Ollama(scope, 'ollama', { ...model, name: instanceName(config.name, 'ollama'), partOf: config.name, namespace, images: config.images, jobs: config.jobs });
    const dimensions = modelDimensions(config);
    return {
      construct: ollama,
      connection: {
        OLLAMA_URL: ollama.url,
        OLLAMA_EXTERNAL_URL: ollama.exposure.externalUrl,
        EMBEDDING_MODEL: config.ollama.embeddingModel,
        EMBEDDING_DIMENSIONS: dimensions === undefined ? undefined : String(dimensions),
      },
      secrets: {},
      servers: [
        {
          name: ollama.serviceName,
          podSelector: ollama.podSelector,
          ports: [OLLAMA.port],
          // The server itself downloads the models; without pulling it needs no internet at all.
          egress: ollama.modelPuller ? [{ to: ANYWHERE, ports: [tcp(443)] }] : undefined,
          ingress: ollama.exposure.policyRules,
        },
      ],
    };
  },

  local(config) {
    const o = config.ollama;
    // A fresh list per service: a shared one would come out of the YAML writer as an anchor and alias.
    const volumes = () => [
      { name: 'ollama-models', path: OLLAMA.paths.models },
      { name: 'ollama-home', path: OLLAMA.paths.home },
    ];
    const services: LocalService[] = [
      // Docker creates a named volume for a path the image lacks as root:root; the Ollama image has neither
      // /models nor /home/ollama, so a one-shot chown hands them to the non-root user first.
      {
        name: 'ollama-volumes',
        image: ollamaImage(o.version, config.images),
        user: '0:0',
        entrypoint: ['chown', '-R', `${OLLAMA.uid}:${OLLAMA.gid}`, OLLAMA.paths.models, OLLAMA.paths.home],
        environment: {},
        ports: [],
        volumes: volumes(),
        tmpfs: [],
        files: [],
        dependsOn: [],
        restart: 'no',
        capAdd: ['CHOWN'],
        localOnly: true,
      },
      {
        name: 'ollama',
        image: ollamaImage(o.version, config.images),
        user: `${OLLAMA.uid}:${OLLAMA.gid}`,
        environment: { ...ollamaEnvironment({ keepAlive: o.keepAlive, numParallel: o.numParallel }), ...extraEnvironment(o.pod.extraEnv) },
        ports: [{ name: 'http', container: OLLAMA.port, host: OLLAMA.port }],
        volumes: volumes(),
        tmpfs: [OLLAMA.paths.tmp],
        files: [],
        // `ollama list` is the CLI talking to its own server: no curl needed.
        healthcheck: { test: ['CMD', 'ollama', 'list'], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 60 },
        dependsOn: [{ service: 'ollama-volumes', condition: 'service_completed_successfully' }],
        restart: 'unless-stopped',
        resources: ollamaResources(o),
        kubernetes: { kind: 'Deployment', name: objectName('Deployment', instanceName(config.name, 'ollama')) },
      },
    ];
    if (o.pullModels) {
      services.push({
        name: 'ollama-pull',
        image: ollamaImage(o.version, config.images),
        user: `${OLLAMA.uid}:${OLLAMA.gid}`,
        entrypoint: ['/bin/sh', '-c', OLLAMA_PULL_SCRIPT],
        environment: { ...ollamaPullEnvironment(`http://ollama:${OLLAMA.port}`, ollamaModels(config)), ...extraEnvironment(config.jobs.pod.extraEnv) },
        ports: [],
        volumes: [],
        tmpfs: [OLLAMA.paths.home],
        files: [],
        dependsOn: [{ service: 'ollama', condition: 'service_healthy' }],
        restart: 'no',
        kubernetes: { kind: 'Job', name: objectName('Job', instanceName(config.name, 'ollama'), 'pull-models') },
      });
    }
    return services;
  },

  plan(config) {
    const o = config.ollama;
    return {
      rows: [resourceRow('ollama', 1, ollamaResources(o), o.storage.size, o.gpus ? `${o.gpus} × ${OLLAMA.gpuResource}` : 'CPU inference')],
      jobs: o.pullModels ? [jobRow('ollama-pull-models', JOB_RESOURCES.modelPull, 'after each sync')] : [],
    };
  },
};
