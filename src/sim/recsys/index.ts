/**
 * @module
 * sim/recsys environments (filled in as the domain lands).
 */
export {};
