//! Hand-computed right-sizing cases on a catalogue of 2, 4 and 8 vCPU types.

use super::*;

fn catalogue() -> Vec<InstanceType> {
    let t = |name: &str, vcpu: f64, mem: f64, hourly: f64| InstanceType {
        name: name.into(),
        vcpu,
        mem_gib: mem,
        hourly_usd: hourly,
        spot_hourly_usd: None,
    };
    vec![
        t("c2", 2.0, 4.0, 0.10),
        t("c4", 4.0, 8.0, 0.19),
        t("c8", 8.0, 16.0, 0.40),
    ]
}

/// 100 samples whose 95th percentile (type 7: between the 95th and 96th smallest) is
/// exactly 2.4 cores, and memory peaking at 5 GiB.
fn usage(days: f64) -> Usage {
    let cpu: Vec<f64> = (0..100)
        .map(|i| if i < 94 { 1.0 + i as f64 * 0.01 } else { 2.4 })
        .collect();
    let mem: Vec<f64> = (0..100).map(|i| if i == 50 { 5.0 * GIB } else { 3.0 * GIB }).collect();
    Usage {
        service: "api".into(),
        cpu_cores: cpu,
        mem_bytes: mem,
        history_days: days,
        start: 0,
        step_s: 300,
        instance_mem_peak_bytes: 2.5 * GIB,
    }
}

fn policy(spares: u32) -> Policy {
    Policy {
        headroom: 0.20,
        memory_headroom: 0.20,
        min_instances: 1,
        redundancy: Redundancy(spares),
        ..Policy::default()
    }
}

#[test]
fn cheapest_fitting_choice_with_the_exact_cost_difference() {
    // Targets: 2.4 x 1.2 = 2.88 cores, 5 x 1.2 = 6 GiB. Fitting: c2 x 2 ($0.20/h),
    // c4 x 1 ($0.19/h), c8 x 1 ($0.40/h): c4 x 1 is the cheapest.
    let current = Placement {
        instance_type: "c8".into(),
        count: 2,
    };
    let r = recommend(&usage(28.0), &catalogue(), Some(&current), &policy(0), None).unwrap();
    assert!((r.cpu_p95_cores - 2.4).abs() < 1e-12);
    assert!((r.cpu_target_cores - 2.88).abs() < 1e-12);
    assert!((r.mem_target_gib - 6.0).abs() < 1e-12);
    assert_eq!(
        r.recommended,
        Placement {
            instance_type: "c4".into(),
            count: 1
        }
    );
    assert!((r.recommended_monthly_usd - 0.19 * 730.0).abs() < 1e-9);
    assert!((r.current_monthly_usd.unwrap() - 2.0 * 0.40 * 730.0).abs() < 1e-9);
    // $584.00 - $138.70 = $445.30 a month.
    assert!((r.savings_monthly_usd.unwrap() - 445.30).abs() < 1e-9);
    assert!((r.savings_yearly_usd.unwrap() - 12.0 * 445.30).abs() < 1e-9);
    assert!(r.flags.is_empty(), "{:?}", r.flags);
}

#[test]
fn n_plus_one_changes_the_choice() {
    // With a spare: c2 needs 2 + 1 = 3 ($0.30/h), c4 needs 1 + 1 = 2 ($0.38/h): c2 x 3.
    let r = recommend(&usage(28.0), &catalogue(), None, &policy(1), None).unwrap();
    assert_eq!(
        r.recommended,
        Placement {
            instance_type: "c2".into(),
            count: 3
        }
    );
    assert!((r.recommended_monthly_usd - 0.30 * 730.0).abs() < 1e-9);
    assert_eq!(r.savings_monthly_usd, None);
}

#[test]
fn under_provisioned_services_need_more() {
    let current = Placement {
        instance_type: "c2".into(),
        count: 1,
    };
    let r = recommend(&usage(28.0), &catalogue(), Some(&current), &policy(0), None).unwrap();
    assert!(r.flags.contains(&"under_provisioned".to_string()));
    assert!(
        r.flags.contains(&"memory_near_limit".to_string()),
        "5 GiB peak on 4 GiB"
    );
    // c4 x 1 costs $0.09/h more than c2 x 1: negative savings.
    assert!((r.savings_monthly_usd.unwrap() + 0.09 * 730.0).abs() < 1e-9);
}

#[test]
fn forecast_peak_short_history_and_spikes_are_flagged() {
    let mut p = policy(0);
    p.size_for_forecast_peak = true;
    let r = recommend(&usage(3.0), &catalogue(), None, &p, Some(5.0)).unwrap();
    // Sized for the forecast peak: 5 x 1.2 = 6 cores: c2 x 3 ($0.30/h) beats c4 x 2
    // ($0.38/h) and c8 x 1 ($0.40/h).
    assert!((r.cpu_target_cores - 6.0).abs() < 1e-12);
    assert_eq!(
        r.recommended,
        Placement {
            instance_type: "c2".into(),
            count: 3
        }
    );
    assert!(r.flags.contains(&"short_history".to_string()));
    assert!((r.confidence - 0.3).abs() < 1e-12);
    let mut spiky = usage(28.0);
    spiky.cpu_cores = (0..100).map(|i| if i >= 98 { 10.0 } else { 1.0 }).collect();
    let r = recommend(&spiky, &catalogue(), None, &policy(0), Some(9.5)).unwrap();
    assert!(r.flags.contains(&"spiky_cpu".to_string()), "{:?}", r.flags);
    assert!(r.flags.contains(&"hot_at_forecast_peak".to_string()), "{:?}", r.flags);
}

#[test]
fn errors_name_the_service() {
    let big = Usage {
        cpu_cores: vec![1e6],
        mem_bytes: vec![1.0],
        ..usage(28.0)
    };
    assert!(matches!(
        recommend(&big, &catalogue(), None, &policy(0), None),
        Err(RightsizeError::NothingFits { .. })
    ));
    // One instance's 20 GiB working set fits no type (16 GiB at most), whatever the count.
    let fat = Usage {
        instance_mem_peak_bytes: 20.0 * GIB,
        ..usage(28.0)
    };
    assert!(matches!(
        recommend(&fat, &catalogue(), None, &policy(0), None),
        Err(RightsizeError::NothingFits { .. })
    ));
    let unknown = Placement {
        instance_type: "z9".into(),
        count: 1,
    };
    assert!(matches!(
        recommend(&usage(28.0), &catalogue(), Some(&unknown), &policy(0), None),
        Err(RightsizeError::UnknownType { .. })
    ));
}

#[test]
fn policy_parses_from_yaml_text_forms() {
    let p: Policy =
        serde_json::from_str(r#"{"headroom": "15%", "redundancy": "n+2", "memory": "p99", "cpu_percentile": 90}"#)
            .unwrap();
    assert!((p.headroom - 0.15).abs() < 1e-12);
    assert_eq!(p.redundancy, Redundancy(2));
    assert_eq!(p.memory, MemoryStatistic::Percentile(99.0));
    assert!(serde_json::from_str::<Policy>(r#"{"redundancy": "2n"}"#).is_err());
    assert!(serde_json::from_str::<Policy>(r#"{"cpu_pct": 90}"#).is_err());
}

#[test]
fn a_recommendation_that_costs_more_says_why() {
    // p95 2.4 cores / (1 / 1.2) = 2.88 cores, 6 GiB; with a spare c2 x 3 ($0.30/h) beats
    // c4 x 2 ($0.38/h): three times today's one c2.
    let today = Placement {
        instance_type: "c2".into(),
        count: 1,
    };
    let r = recommend(&usage(28.0), &catalogue(), Some(&today), &policy(1), None).unwrap();
    assert_eq!(r.recommended.count, 3);
    assert!(r.savings_monthly_usd.unwrap() < 0.0);
    assert_eq!(r.current_cores, Some(2.0));
    // (0.30 - 0.10) x 730 h = $146.00 a month more: today's one c2 holds nothing once
    // its spare is lost.
    assert_eq!(
        r.reason,
        "3 x c2: 2.9 cores for p95 CPU of 2.40 cores at 83% utilisation, + 1 spare (n+1); $146.00/month more \
         than today's because today's 1 x c2 hold 0.0 cores with 1 lost (n+1), under the 2.9 needed"
    );
    // Memory decides when it needs more instances: 12 GiB x 1.2 = 14.4 GiB is 4 x c2's
    // 4 GiB against 2 for CPU, + 1 spare: c2 x 5 ($0.50/h) beats c4 x 3 ($0.57/h). Today's
    // 2 x c4 ($0.38/h) has the cores with one lost (4 >= 2.88) but 8 GiB of the 14.4:
    // (0.50 - 0.38) x 730 = $87.60 more.
    let mut big = usage(28.0);
    big.mem_bytes[50] = 12.0 * GIB;
    let two_c4 = Placement {
        instance_type: "c4".into(),
        count: 2,
    };
    let r = recommend(&big, &catalogue(), Some(&two_c4), &policy(1), None).unwrap();
    assert_eq!(
        r.reason,
        "5 x c2: 14.4 GiB of memory with 20% headroom, + 1 spare (n+1); $87.60/month more than today's because \
         today's 2 x c4 hold 8.0 GiB with 1 lost (n+1), under the 14.4 needed"
    );
    // A recommendation that saves says nothing of today's.
    let r = recommend(&usage(28.0), &catalogue(), Some(&two_c4), &policy(1), None).unwrap();
    assert!(
        r.savings_monthly_usd.unwrap() > 0.0 && !r.reason.contains("today's"),
        "{}",
        r.reason
    );
}
