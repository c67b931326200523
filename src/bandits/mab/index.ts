/**
 * @module
 * bandits/mab public surface (filled in as the domain lands).
 */
export {};
