/**
 * @module
 * The short-video recommender environment (users with latent topic interests, heavy and light users, daily
 * sessions, available topics per request, complete/loop/skip per impression) and the recommender's multi-task
 * low-rank reward model retrained daily on logged data.
 */
export {
  cloneRewardModel,
  createInteractionLog,
  createLogIndex,
  createRewardModel,
  DEFAULT_REWARD_MODEL,
  type InteractionLog,
  indexLogInto,
  type LogIndex,
  predictUser,
  type RewardModel,
  type RewardModelOptions,
  trainRewardModel,
  type UserFactors,
} from './reward-model.js';
export {
  candidateWeightsInto,
  checkTopic,
  continues,
  createRecsysWorld,
  DEFAULT_WORLD,
  drawAvailable,
  drawCandidates,
  drawCandidatesWeighted,
  drawSessions,
  itemOrderInto,
  itemRelevance,
  MAX_ITEMS_PER_TOPIC,
  N_TASKS,
  OUTCOME_COMPLETE,
  OUTCOME_LOOP,
  OUTCOME_SKIP,
  pickItem,
  pickItemOrdered,
  type RecsysWorld,
  type RecsysWorldConfig,
  resolveWorldConfig,
  respond,
  respondItem,
  respondRate,
  sortByWeightInto,
  TASK_COMPLETE,
  TASK_LOOP,
  TASK_NAMES,
  TASK_SKIP,
} from './world.js';
