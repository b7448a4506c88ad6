import { Environment, value } from './env';
import { imageReference, type ImageSource } from './images';

/**
 * Facts about the Ollama server (image, API, paths, env names). Every renderer reads them from here.
 */
export const OLLAMA = {
  version: '0.20.6',
  imageRepository: 'ollama/ollama',
  /**
   * The image runs as root with data in $HOME/.ollama; as non-root, HOME and OLLAMA_MODELS must be
   * writable volumes or it fails with "mkdir /.ollama: permission denied" (ollama-helm #130).
   */
  uid: 1000,
  gid: 1000,
  port: 11434,
  paths: { models: '/models', home: '/home/ollama', tmp: '/tmp' },
  /** `GET /` answers "Ollama is running" as soon as the server listens; it needs no model. */
  probes: { readiness: '/', liveness: '/', startup: '/' },
  api: { version: '/api/version', tags: '/api/tags', pull: '/api/pull', embed: '/api/embed' },
  env: {
    host: 'OLLAMA_HOST',
    models: 'OLLAMA_MODELS',
    keepAlive: 'OLLAMA_KEEP_ALIVE',
    numParallel: 'OLLAMA_NUM_PARALLEL',
    home: 'HOME',
  },
  gpuResource: 'nvidia.com/gpu',
} as const;

/** Ollama's environment on every target: listens on all interfaces, HOME and models on volumes. */
export function ollamaEnvironment(props: { keepAlive: string; numParallel: number }): Environment {
  return {
    [OLLAMA.env.host]: value(`0.0.0.0:${OLLAMA.port}`),
    [OLLAMA.env.home]: value(OLLAMA.paths.home),
    [OLLAMA.env.models]: value(OLLAMA.paths.models),
    [OLLAMA.env.keepAlive]: value(props.keepAlive),
    [OLLAMA.env.numParallel]: value(String(props.numParallel)),
  };
}

/** The model-pull client's environment: the Ollama CLI talks to `ollamaUrl`. */
export function ollamaPullEnvironment(ollamaUrl: string, models: readonly string[]): Environment {
  return {
    [OLLAMA.env.host]: value(ollamaUrl),
    [OLLAMA.env.home]: value(OLLAMA.paths.home),
    MODELS: value(models.join(' ')),
  };
}

/** Waits for the server, then pulls each model: idempotent (a present model only re-checks its manifest). */
export const OLLAMA_PULL_SCRIPT = [
  'set -eu',
  'until ollama list >/dev/null 2>&1; do echo "waiting for $OLLAMA_HOST"; sleep 3; done',
  'for model in $MODELS; do echo "pulling $model"; ollama pull "$model"; done',
  'ollama list',
].join('\n');

export function ollamaImage(version: string, source?: ImageSource): string {
  return imageReference({ key: 'ollama', repository: OLLAMA.imageRepository, tag: version }, source);
}
