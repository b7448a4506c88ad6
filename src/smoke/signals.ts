/**
 * SIGINT/SIGTERM → AbortSignal, so an interrupted run still deletes its temporary collection.
 * A second signal is not caught: the process ends at once, as the operator insisted.
 */

/** Aborts the returned signal on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
export function abortOnSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    dispose();
    // Re-raise on the next one: no handler is left, so Node's default (exit) applies.
    process.once(sig, () => process.kill(process.pid, sig));
    controller.abort(`received ${sig}, cleaning up`);
  };
  const dispose = () => signals.forEach((s) => process.off(s, handler));
  signals.forEach((s) => process.on(s, handler));
  return { signal: controller.signal, dispose };
}
