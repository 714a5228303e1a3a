/** The key of a job in the state file (ARCHITECTURE.md: job). */
/** What makes two runs the same job: same rows in (textColumn, or a canonical --text template in its place), same model, same place out. */
export interface JobIdentity {
  database: string;
  source: string;
  idColumn: string;
  textColumn?: string;
  text?: string;
  target: string;
  model: string;
  modelHash: string;
  dimension: number;
  /** See ModelInfo.tokenizerHash; absent in jobs recorded before the tokenizer was part of the identity. */
  tokenizerHash?: string;
  /**
   * The model profile's mark (src/model/model-profile.ts profileMark), absent for the default profile:
   * jobs recorded before profiles existed keep their identity.
   */
  profile?: string;
  chunk?: string; // The --chunk window (`256:32`), absent for a job that embeds whole rows.
}
