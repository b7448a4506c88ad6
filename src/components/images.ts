/**
 * Every image reference of the stack is built here, for every target (Kubernetes, Compose, Pulumi): the
 * component's Docker Hub repository and tag, behind the model's `images.registry` mirror and pinned by its
 * `images.digests`.
 */

/** The model's `images` section, as far as references go (pull secrets are the pods' business). */
export interface ImageSource {
  /** Mirror of Docker Hub, e.g. `mirror.example.com/dockerhub`. */
  readonly registry?: string;
  /** `sha256:…` by image key. */
  readonly digests?: Readonly<Partial<Record<string, string>>>;
}

/** An image of the stack as published on Docker Hub. */
export interface StackImage {
  /** Its key in `images.digests` (`qdrant`, `ollama`, `redis`, `runner`). */
  readonly key: string;
  /** Docker Hub repository, e.g. `qdrant/qdrant`, or `redis` for an official image. */
  readonly repository: string;
  readonly tag: string;
}

/**
 * `repository:tag`, behind the registry when there is one, and `@sha256:…` when pinned. Behind a mirror an
 * official image gets its full Docker Hub path (`library/redis`), which pull-through caches (Harbor,
 * Artifactory, registry:2) require; Docker itself adds it only for docker.io.
 */
export function imageReference(image: StackImage, source: ImageSource = {}): string {
  const path = source.registry ? `${source.registry}/${image.repository.includes('/') ? image.repository : `library/${image.repository}`}` : image.repository;
  const digest = source.digests?.[image.key];
  return `${path}:${image.tag}${digest ? `@${digest}` : ''}`;
}

/** The tag of an image reference (`v1.19.0-unprivileged`), whatever registry and digest it carries. */
export function imageTag(reference: string): string | undefined {
  const name = reference.split('@')[0];
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
}
