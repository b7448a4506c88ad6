/** Kept for imports of earlier versions: the smoke Job's inputs live with the stack now. */
export { smokeJobExpectations } from '../stack/jobs';
