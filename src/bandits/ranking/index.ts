/**
 * @module
 * bandits/ranking public surface (filled in as the domain lands).
 */
export {};
