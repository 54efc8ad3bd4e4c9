// The public API: names re-exported, nothing defined here.
export type { Matrix, MatrixLike } from './linalg/matrix.js';
export { matrix, toMatrix, toRows, zeros } from './linalg/matrix.js';
