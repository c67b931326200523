/**
 * @module
 * The bandits domain's public surface (filled in as the domain lands).
 */
export {};
