/**
 * The names of the files a render writes beside its manifests. Apart from src/synth.ts so that a command
 * that writes only some of them (`compose`) names them without loading cdk8s.
 */
export const COMPOSE_FILE = 'docker-compose.yml';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const ENV_EXAMPLE_FILE = '.env.example';
/** The extension of the Kubernetes manifests, one file per chart (as cdk8s names them). */
export const MANIFEST_EXTENSION = '.k8s.yaml';
