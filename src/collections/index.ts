/**
 * The collections reconciler as a library (`qdrant-stack/collections`): plan (reads only) or apply the
 * declared collections against a running Qdrant, compare one collection with its declaration, and format
 * the report. Never deletes or recreates a collection: an immutable difference is reported as drift.
 *
 * The formatters and the exit code carry a `Collections` in their names, so they sit next to the smoke
 * test's `formatText`, `formatJson` and `exitCodeOf` in `qdrant-stack/smoke` and in the package root.
 *
 * @packageDocumentation
 */
export { planCollections, applyCollections } from './reconcile';
export type { Target as CollectionsTarget, ReconcileOptions } from './reconcile';
export { compareCollection } from './diff';
export type { Action as CollectionAction, Change as CollectionChange, ChangeKind as CollectionChangeKind, Comparison as CollectionComparison } from './diff';
export { declaredShape, foundCollection } from './wire';
export type { CollectionShape, FoundCollection, ShapeOptions, VectorShape, SparseShape, IndexShape, ShardReplicas, AliasDescription, Json } from './wire';
export { exitCodeOf as collectionsExitCode, formatText as formatCollectionsText, formatJson as formatCollectionsJson } from './report';
export type { CollectionResult, CollectionsReport } from './report';
export { CollectionsError } from './qdrant';
export type { Failure as CollectionsFailure } from './qdrant';
export { AbortedError } from '../smoke/backoff';
export type { BackoffOptions } from '../smoke/backoff';
