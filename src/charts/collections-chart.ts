/** Kept for imports of earlier versions: the collections Job's name lives with the stack now. */
export { collectionsJobName } from '../stack/jobs';
