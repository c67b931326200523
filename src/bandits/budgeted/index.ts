/**
 * @module
 * bandits/budgeted public surface (filled in as the domain lands).
 */
export {};
