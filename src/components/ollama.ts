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

export function ollamaImage(version: string): string {
  return `${OLLAMA.imageRepository}:${version}`;
}
