// Races and constituencies in the browser: the port of vaa/races.py. A voter's place
// selects the races held in it or in any place it lies within; each race ranks only
// the entities standing in it that answered something (the silent are listed apart).
// Standalone on purpose (no imports): the conformance suite loads it as a data: URL.

/** The place and every place it lies within, innermost first (stops at a cycle). */
export function ancestors(constituencies, place) {
  const within = Object.fromEntries(constituencies.map((c) => [c.id, c.within ?? null]));
  const chain = [];
  for (let at = place; at != null && !chain.includes(at); at = within[at] ?? null) chain.push(at);
  return chain;
}

/**
 * The ballots of a voter in `place` (every race when null), in ballot order:
 * [{race, members: [entity index answering], didNotAnswer: [entity id]}]. An election
 * without races is one ballot ("all") of every entity.
 */
export function ballots({ constituencies = [], races = [], entities }, place = null) {
  if (!races.length) {
    return [{ race: "all", members: entities.map((_, e) => e), didNotAnswer: [] }];
  }
  const home = place == null ? null : ancestors(constituencies, place);
  return races
    .filter((r) => home == null || home.includes(r.constituency))
    .map((r) => {
      const standing = entities.map((e, i) => [e, i]).filter(([e]) => (e.races || []).includes(r.id));
      return {
        race: r.id,
        members: standing.filter(([e]) => answeredAny(e)).map(([, i]) => i),
        didNotAnswer: standing.filter(([e]) => !answeredAny(e)).map(([e]) => e.id),
      };
    });
}

function answeredAny(entity) {
  return Object.values(entity.answers || {}).some((a) => a != null);
}
