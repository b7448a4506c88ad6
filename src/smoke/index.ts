/** The post-deploy smoke test as a library: run the checks, then format the report. */
export { runSmoke } from './run';
export type { RunHooks, SmokeRun } from './run';
export { withDefaults, expectationsFromConfig, SMOKE_DEFAULTS, TEMP_COLLECTION_PREFIX } from './options';
export type { SmokeOptions, SmokeInput, ExpectedCollection, CollectionsJobRef, OllamaTarget, RedisTarget } from './options';
export { SMOKE_EXIT, exitCodeOf } from './report';
export type { SmokeReport, CheckResult, LatencyReport } from './report';
export { formatText } from './format/text';
export { formatJson } from './format/json';
export { formatJunit } from './format/junit';
