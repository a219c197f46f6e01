//! The scenario `headroom plan --verify-scenario` writes: the planned demand as Poisson
//! arrivals against the planned size, with the objective as its SLO.

use headroom_forecast::capacity::plan::PlanFile;

/// A scenario that load-tests the plan: Poisson arrivals at the planned demand against
/// the planned size, with the objective as its SLO.
pub fn verify_scenario(p: &PlanFile, hold: std::time::Duration) -> String {
    format!(
        "# Written by `headroom plan --verify-scenario`: load-tests the plan of {instances} instances at\n\
         # {rps:.1} rps (Poisson arrivals, as peak-event traffic comes). Replace the journey with the\n\
         # traffic mix the limits were measured with, point --target at the {instances} instances\n\
         # (all up; the prediction with {spares} lost is {degraded}), then compare:\n\
         #   headroom run THIS_FILE --target URL --out out/verify\n\
         #   headroom plan <the same flags> --check out/verify/run.json\n\
         # Predicted: p50 {p50}, {name} {objective}.\n\
         name: verify-plan\n\
         journeys:\n  - name: verify\n    steps:\n      - {{get: /}}\n\
         load:\n  arrivals: poisson\n  stages: [{{rate: {rps}, ramp: 10s, hold: {hold}}}]\n\
         slo: {{{name}: {limit}ms}}\n",
        instances = p.instances,
        rps = p.demand.rps,
        spares = p.redundancy.spares(),
        degraded = crate::terminal::plan::ms(p.plan.objective_ms_degraded),
        p50 = crate::terminal::plan::ms(p.plan.p50_ms),
        name = p.objective.name,
        objective = crate::terminal::plan::ms(p.plan.objective_ms),
        hold = headroom_loadgen::units::format_duration(hold),
        limit = p.objective.limit_ms,
    )
}
