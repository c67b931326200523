/**
 * @module
 * bandits/linear public surface (filled in as the domain lands).
 */
export {};
