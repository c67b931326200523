/**
 * @module
 * sim/budgeted environments (filled in as the domain lands).
 */
export {};
