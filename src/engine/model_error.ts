/** A model directory that cannot be served, with what is wrong with it. */
export class ModelError extends Error {}
