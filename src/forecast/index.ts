/**
 * @module
 * The forecast domain's public surface (filled in as the domain lands).
 */
export {};
