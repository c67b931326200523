/**
 * @module
 * The experiments domain's public surface (filled in as the domain lands).
 */
export {};
