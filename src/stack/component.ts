/**
 * One descriptor per component (Qdrant, Ollama, Redis, …): everything the stack, `plan`, the
 * NetworkPolicies, the connection contract and the local targets (Compose, Pulumi) learn about a component
 * comes from its descriptor, and each of them loops over the list in ./components/index.ts. Adding a
 * component is one new descriptor file plus its entry in that list (and its section in the model).
 */
import type { Construct } from 'constructs';
import type { PlanRow } from '../config/plan';
import type { StackConfig } from '../config/schema';
import type { LocalService } from '../local/types';
import type { ProtectedServer } from '../constructs/network-policies';
import type { SecretGenerator } from '../constructs/secret-generator';
import type { SecretKeyReference } from '../constructs/qdrant';

/** A secret an application (and a local target) needs, by the env name it is read under. */
export interface ComponentSecret {
  /** Env name, e.g. `QDRANT_API_KEY`: the connection contract's name and the local env file's key. */
  readonly env: string;
  /** What it is, for the env file template and Pulumi errors. */
  readonly description: string;
}

/** What the stack hands a component when it renders it for Kubernetes. */
export interface KubernetesContext {
  /** The stack construct: the component's constructs go under it. */
  readonly scope: Construct;
  /** The validated model, namespace resolved. */
  readonly config: StackConfig;
  readonly namespace: string;
  /** Labels of every object of the stack (`part-of`, `managed-by`). */
  readonly stackLabels: Readonly<Record<string, string>>;
  /** The stack's one secret generator, created on first use. */
  readonly secretGenerator: () => SecretGenerator;
  /** The components rendered before this one, by key (e.g. a reranker reading Ollama's URL). */
  readonly deployed: ReadonlyMap<string, DeployedComponent>;
}

/** A component as rendered into a cluster: what the rest of the stack wires to. */
export interface DeployedComponent {
  /** The component's construct (e.g. the `Qdrant` construct). */
  readonly construct: Construct;
  /** Entries of the connection ConfigMap (no secrets); undefined values are left out. */
  readonly connection: Readonly<Record<string, string | undefined>>;
  /** Secrets applications read, by env name (`QDRANT_API_KEY` → its Secret key). */
  readonly secrets: Readonly<Record<string, SecretKeyReference>>;
  /** Its servers as the NetworkPolicies see them: who may reach which port. */
  readonly servers: readonly ProtectedServer[];
  /** Pods of the component that call the Kubernetes API (they get that egress). */
  readonly apiClients?: readonly Record<string, string>[];
}

/** What `plan` shows of a component. */
export interface ComponentPlan {
  /** Long-running workloads (counted in the total). */
  readonly rows: readonly PlanRow[];
  /** Short-lived pods (not in the total). */
  readonly jobs: readonly PlanRow[];
}

/** Everything about one component, for every target. */
export interface StackComponent {
  /** Its key in the model (`qdrant`) and the suffix of its object names (`<stack>-qdrant`). */
  readonly key: string;
  /** Whether the model deploys it. */
  enabled(config: StackConfig): boolean;
  /** Secrets it gives applications and the local targets, when enabled. */
  secrets(config: StackConfig): readonly ComponentSecret[];
  /** Renders its constructs under the stack. */
  kubernetes(context: KubernetesContext): DeployedComponent;
  /** Its local containers (Compose, Pulumi), in start order. */
  local(config: StackConfig): readonly LocalService[];
  /** Its rows in `plan`. */
  plan(config: StackConfig): ComponentPlan;
}
