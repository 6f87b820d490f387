// The project's question files, compiled into the tests that replay them, so that a test binary reused from
// another checkout never looks for files at the path it was built from. Included by the app's and the
// warehouse's differential tests (rollups against facts): a new round is added here, once.
// Paths are relative to this file.
const QUESTION_SETS: &[&str] = &[
    include_str!("nl-dev.jsonl"),
    include_str!("nl-paraphrases.jsonl"),
    include_str!("nl-heldout-style.jsonl"),
    include_str!("fresh/holdout.jsonl"),
    // Changes between periods, exclusions and "the same days" (conditional aggregates on the time).
    include_str!("fresh/round11-tune.jsonl"),
    include_str!("fresh/round11-holdout.jsonl"),
    include_str!("fresh/round12-tune.jsonl"),
    include_str!("fresh/round12-holdout.jsonl"),
    include_str!("fresh/round13-tune.jsonl"),
    include_str!("fresh/round13-holdout.jsonl"),
    include_str!("fresh/round14-tune.jsonl"),
    include_str!("fresh/round14-holdout.jsonl"),
    include_str!("fresh/round15-tune.jsonl"),
    include_str!("fresh/round15-holdout.jsonl"),
    include_str!("fresh/round16-tune.jsonl"),
    include_str!("fresh/round16-holdout.jsonl"),
    include_str!("fresh/round17-tune.jsonl"),
    include_str!("fresh/round17-holdout.jsonl"),
    include_str!("fresh/round18-tune.jsonl"),
    include_str!("fresh/round18-holdout.jsonl"),
    include_str!("fresh/round19-tune.jsonl"),
    include_str!("fresh/round19-holdout.jsonl"),
    include_str!("fresh/round20-tune.jsonl"),
    include_str!("fresh/round20-holdout.jsonl"),
    include_str!("fresh/round21-tune.jsonl"),
    include_str!("fresh/round21-holdout.jsonl"),
    include_str!("fresh/round22-tune.jsonl"),
    include_str!("fresh/round22-holdout.jsonl"),
    include_str!("fresh/round23-tune.jsonl"),
    include_str!("fresh/round23-holdout.jsonl"),
    include_str!("fresh/round24-tune.jsonl"),
    include_str!("fresh/round24-holdout.jsonl"),
    include_str!("fresh/round25-tune.jsonl"),
    include_str!("fresh/round25-holdout.jsonl"),
    // The small talk of a chat around the question; the low end and the absent (least, bottom, never).
    include_str!("fresh/round26-tune.jsonl"),
    include_str!("fresh/round26-holdout.jsonl"),
    include_str!("fresh/round27-tune.jsonl"),
    include_str!("fresh/round27-holdout.jsonl"),
    // Yes-or-no comparisons: "is A higher than B", "¿vendimos más en A o en B?".
    include_str!("fresh/round28-tune.jsonl"),
    include_str!("fresh/round28-holdout.jsonl"),
];
