/**
 * @module
 * The dp domain's public surface (filled in as the domain lands).
 */
export {};
