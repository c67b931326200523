/**
 * @module
 * sim/pbm environments (filled in as the domain lands).
 */
export {};
