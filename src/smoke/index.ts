/**
 * The post-deploy smoke test as a library (`qdrant-stack/smoke`): run the checks, then format the report.
 * The collections reconciler (`qdrant-stack/collections`) is re-exported here too: the smoke test compares
 * each declared collection with the same {@link compareCollection}.
 *
 * @packageDocumentation
 */
export { runSmoke } from './run';
export type { RunHooks, SmokeRun } from './run';
export { withDefaults, expectationsFromConfig, SMOKE_DEFAULTS, TEMP_COLLECTION_PREFIX } from './options';
export type { SmokeOptions, SmokeInput, SmokeExpectations, ExpectedCollection, CollectionsJobRef, OllamaTarget, OllamaExpectation, RedisTarget } from './options';
export { SMOKE_EXIT, exitCodeOf } from './report';
export type { SmokeReport, SmokeExitCode, CheckResult, CheckStatus, LatencyReport, ReportTarget } from './report';
export type { LatencySummary } from './stats';
export { formatText } from './format/text';
export { formatJson } from './format/json';
export { formatJunit } from './format/junit';
export * from '../collections/index';
