/**
 * `qdrant.config`: a typed subset of Qdrant 1.19's own configuration file (config/config.yaml upstream), in
 * Qdrant's snake_case keys. Ranges are Qdrant's (its OpenAPI and config validation). Keys the stack owns —
 * keys, TLS, ports, paths, cluster, snapshot storage — are refused with the stack key that sets them: they
 * are either secret (never in a ConfigMap) or wired into Services, probes and volumes.
 */
import { z } from 'zod';
import { QDRANT } from '../components/qdrant';

const QDRANT_FILE = 'Qdrant\'s configuration file';

const int = (min: number, what = `a whole number of at least ${min}`) =>
  z.number({ error: `must be ${what}` }).int({ error: `must be ${what}` }).min(min, { error: `must be ${what}` });
const bool = z.boolean({ error: 'must be true or false' });

/**
 * A key the stack sets itself. The issue carries no input, so a refused value (an API key, say) is never
 * quoted back in an error message.
 */
const refused = (setBy: string) =>
  z
    .unknown()
    .optional()
    .superRefine((v, ctx) => {
      if (v !== undefined) ctx.addIssue({ code: 'custom', message: `is set by the stack: ${setBy}`, input: undefined });
    })
    .describe(`Not settable here: ${setBy}.`);

const KEYS = 'use qdrant.apiKey (a generated or existing Secret)';

const performanceSchema = z.strictObject({
  max_search_threads: int(0).optional().describe('Threads for search operations; 0 picks automatically.'),
  optimizer_cpu_budget: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .optional()
    .describe('CPUs for an optimization job: 0 automatic, a negative number leaves that many CPUs free, a positive one uses exactly that many.'),
  update_rate_limit: int(1).optional().describe('Concurrent updates allowed in distributed mode (protects consensus timing); automatic when left out.'),
  incoming_shard_transfers_limit: int(0).optional().describe('Automatic incoming shard transfers per collection on this node (Qdrant\'s default 1); use the same value on every peer.'),
  outgoing_shard_transfers_limit: int(0).optional().describe('Automatic outgoing shard transfers per collection on this node (Qdrant\'s default 1); use the same value on every peer.'),
  async_scorer: bool.optional().describe('Rescore with io_uring (Linux; the kernel must allow it).'),
});

const optimizersSchema = z.strictObject({
  deleted_threshold: z
    .number({ error: 'must be a fraction between 0 and 1' })
    .min(0, { error: 'must be a fraction between 0 and 1' })
    .max(1, { error: 'must be a fraction between 0 and 1' })
    .optional()
    .describe('Fraction of deleted vectors in a segment that triggers its optimization (Qdrant\'s default 0.2).'),
  vacuum_min_vector_number: int(100).optional().describe('Vectors a segment needs before it is vacuumed (at least 100; default 1000).'),
  default_segment_number: int(0).optional().describe('Target number of segments; 0 follows the number of CPUs.'),
  max_segment_size_kb: int(1).optional().describe('Largest segment in KiB (1 KiB ≈ one 256-dimension vector); automatic when left out.'),
  indexing_threshold_kb: int(0).optional().describe('Vectors (in KiB) a segment holds before it gets an HNSW index (default 10000); 0 disables indexing.'),
  flush_interval_sec: int(0).optional().describe('Seconds between forced flushes (default 5).'),
  max_optimization_threads: int(0).optional().describe('Optimization jobs per shard; 0 disables optimization; no limit when left out.'),
});

const hnswSchema = z.strictObject({
  m: int(0).optional().describe('Edges per node of the graph (default 16): more is more accurate and larger.'),
  ef_construct: int(4).optional().describe('Neighbours considered while building (at least 4; default 100).'),
  full_scan_threshold_kb: int(0).optional().describe('Below this many KiB of matching vectors a query scans instead of using the graph (default 10000).'),
  max_indexing_threads: int(0).optional().describe('Threads building an index; 0 picks 8 to 16.'),
  on_disk: bool.optional().describe('Keep the graph on disk instead of in RAM.'),
  payload_m: int(0).optional().describe('M of the graphs built for payload indexes; m when left out.'),
});

const storageSchema = z.strictObject({
  on_disk_payload: bool.optional().describe('Read payloads from disk on demand (Qdrant\'s default true); indexed payload fields stay in RAM.'),
  max_collections: int(1).optional().describe('Most collections that may be created; no limit when left out.'),
  performance: performanceSchema.optional().describe('Search and optimization threads, update rate, shard transfers.'),
  optimizers: optimizersSchema.optional().describe('Default optimizer settings of new collections.'),
  hnsw_index: hnswSchema.optional().describe('Default HNSW index settings of new collections.'),
  storage_path: refused('the storage volume is mounted at /qdrant/storage (qdrant.storage)'),
  snapshots_path: refused('the snapshots volume is mounted at /qdrant/snapshots (snapshots)'),
  temp_path: refused('temporary files go to the storage volume'),
  snapshots_config: refused('snapshots sets where snapshots go (S3 credentials come from a Secret)'),
});

const serviceSchema = z.strictObject({
  max_request_size_mb: int(1).optional().describe('Largest request body in MB (default 32); large upserts need more.'),
  max_workers: int(0).optional().describe('Workers serving the API; 0 uses the number of CPUs.'),
  enable_cors: bool.optional().describe('CORS headers on the REST API (default true).'),
  api_key: refused(KEYS),
  alt_api_key: refused(KEYS),
  read_only_api_key: refused('use qdrant.readOnlyApiKey (a generated or existing Secret)'),
  jwt_rbac: refused('use qdrant.jwtRbac'),
  enable_tls: refused('use qdrant.tls'),
  verify_https_client_certificate: refused('use qdrant.tls'),
  host: refused('Qdrant listens on all interfaces; NetworkPolicies restrict who reaches it'),
  http_port: refused(`the REST port is ${QDRANT.ports.http} (Services, probes and NetworkPolicies use it)`),
  grpc_port: refused(`the gRPC port is ${QDRANT.ports.grpc} (Services and NetworkPolicies use it)`),
});

export const qdrantServerConfigSchema = z
  .strictObject({
    log_level: z
      .enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'must be one of TRACE, DEBUG, INFO, WARN, ERROR' })
      .optional()
      .describe('Log level (default INFO).'),
    storage: storageSchema.optional().describe('Storage, optimizer and index defaults.'),
    service: serviceSchema.optional().describe('The API server.'),
    cluster: refused('use qdrant.replicas (more than 1 runs distributed mode)'),
    tls: refused('use qdrant.tls'),
    telemetry_disabled: refused('the stack turns telemetry off'),
  });

/** What `qdrant.config` is, for the configuration reference. */
export const QDRANT_CONFIG_DESCRIPTION = `Qdrant's own settings, written into ${QDRANT_FILE} (Kubernetes: a ConfigMap mounted as /qdrant/config/production.yaml; Compose and Pulumi: QDRANT__SECTION__KEY variables). Keys are Qdrant's (snake_case, as in its config.yaml); what the stack sets itself (keys, TLS, ports, paths, cluster) is refused here.`;

/** The validated `qdrant.config`. */
export type QdrantServerConfig = z.output<typeof qdrantServerConfigSchema>;
