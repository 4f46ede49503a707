//! Property test of delivery: random sequences of publishes, Edge answers (success, 429, 503,
//! network failure, 400), timer ticks, page reloads and consent changes, driven through the
//! engine's door. After a final drain, every admitted event was delivered exactly once or dropped
//! with a diagnostic naming it, and events went out (first attempt) in publish order.
//!
//! The simulated browser: a request in flight when the page unloads completes (it is `keepalive`),
//! a beacon the engine asks for is taken, saved outboxes survive the reload, and a zero-delay
//! timer (the end of a burst of publishes) fires at a random later step, so requests carry
//! batches of varying size.

use std::collections::{BTreeMap, BTreeSet};

use storefront_collector::engine::consent::{Signal, State};
use storefront_collector::engine::json;
use storefront_collector::engine::outbox::Limits;
use storefront_collector::engine::xdm::PageFacts;
use storefront_collector::engine::{Effect, Engine, Input, Publish, Start};

const IDENTITY_COOKIE: &str = "kndctr_1234_AdobeOrg_identity=CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==";

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// The world around one engine: time, the network, storage, and what the Edge received.
struct World {
    engine: Engine,
    now: f64,
    page: u32,
    /// Requests under way: request id and the events it carries.
    in_flight: Vec<(String, Vec<String>)>,
    /// A zero-delay tick was asked for and has not fired yet.
    flush_due: bool,
    /// Most events seen in one request.
    largest_request: usize,
    storage: BTreeMap<String, String>,
    delivered: BTreeMap<String, u32>,
    first_sent: Vec<String>,
    sent_once: BTreeSet<String>,
    dropped: BTreeSet<String>,
}

impl World {
    fn new() -> World {
        let mut world = World {
            engine: Engine::new(),
            now: 1_795_435_200_000.0,
            page: 0,
            in_flight: Vec::new(),
            flush_due: false,
            largest_request: 0,
            storage: BTreeMap::new(),
            delivered: BTreeMap::new(),
            first_sent: Vec::new(),
            sent_once: BTreeSet::new(),
            dropped: BTreeSet::new(),
        };
        world.load_page();
        world
    }

    fn load_page(&mut self) {
        self.page += 1;
        self.engine = Engine::new();
        let saved: Vec<(String, String)> = self.storage.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        self.feed(Input::Start(Start {
            now_ms: self.now,
            page_key: format!("storefront-collector.outbox.page{}", self.page),
            cookies: IDENTITY_COOKIE.into(),
            saved,
            limits: Limits { max_events: 50, max_bytes: 1_000_000 },
        }));
        for (key, value) in [
            ("aepContext", r#"{"imsOrgId":"1234@AdobeOrg","datastreamId":"ds-1","edgeDomain":"edge.example.test"}"#),
            ("eventForwardingContext", r#"{"aep":true}"#),
            ("pageContext", r#"{"pageType":"Home"}"#),
        ] {
            self.feed(Input::SetContext { key: key.into(), value: json::parse(value).ok() });
        }
    }

    /// Feeds an input and plays the effects the way the browser would.
    fn feed(&mut self, input: Input) {
        let mut queue = vec![input];
        while let Some(input) = queue.pop() {
            for effect in self.engine.handle(input) {
                match effect {
                    Effect::Fetch { request_id, events, .. } => {
                        for id in &events {
                            if self.sent_once.insert(id.clone()) {
                                self.first_sent.push(id.clone());
                            }
                        }
                        self.largest_request = self.largest_request.max(events.len());
                        self.in_flight.push((request_id, events));
                    }
                    Effect::Beacon { request_id, events, .. } => {
                        for id in events {
                            *self.delivered.entry(id).or_default() += 1;
                        }
                        queue.push(Input::BeaconQueued { request_id, accepted: true });
                    }
                    Effect::ScheduleTick { at_ms } if at_ms <= self.now => self.flush_due = true,
                    Effect::ProbeDomain => queue.push(Input::Domain("example.test".into())),
                    Effect::Store { key, json } => {
                        self.storage.insert(key, json);
                    }
                    Effect::Unstore { key } => {
                        self.storage.remove(&key);
                    }
                    Effect::Diagnose(d) => {
                        let dropped = ["consent-out", "delivery-failed", "queue-full", "expired"];
                        if dropped.contains(&d.code.as_str()) {
                            self.dropped.insert(d.event_id.clone().expect("a drop names its event"));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn answer(&mut self, index: usize, status: u16) {
        let (request_id, events) = self.in_flight.remove(index);
        if (200..300).contains(&status) {
            for id in events {
                *self.delivered.entry(id).or_default() += 1;
            }
        }
        let retry_after = (status == 429).then(|| "1".to_string());
        self.feed(Input::Response { request_id, status, retry_after, body: None, now_ms: self.now, jitter: 0.5 });
    }

    /// The zero-delay timer fires (the task that published has ended).
    fn flush(&mut self) {
        if std::mem::take(&mut self.flush_due) {
            self.feed(Input::Tick { now_ms: self.now });
        }
    }

    fn reload(&mut self) {
        self.feed(Input::PageHidden { now_ms: self.now });
        self.feed(Input::Save { now_ms: self.now, closing: true });
        // keepalive requests finish after the page is gone.
        for (_, events) in self.in_flight.drain(..) {
            for id in events {
                *self.delivered.entry(id).or_default() += 1;
            }
        }
        self.flush_due = false;
        self.load_page();
    }
}

#[test]
fn every_admitted_event_is_delivered_once_or_reported() {
    let mut largest_request = 0;
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut world = World::new();
        let mut published = Vec::new();
        for step in 0..150 {
            if rng.below(3) == 0 {
                world.flush();
            }
            match rng.below(20) {
                0..=7 => {
                    let id = format!("s{seed}-e{step}");
                    published.push(id.clone());
                    world.feed(Input::Publish(Publish {
                        method: "pageView".into(),
                        args: vec![],
                        event_id: id,
                        at_ms: world.now,
                        page: PageFacts::default(),
                        notify: false,
                    }));
                }
                8..=12 if !world.in_flight.is_empty() => {
                    let index = rng.below(world.in_flight.len() as u64) as usize;
                    let status = [200, 200, 200, 204, 503, 429, 0, 502, 400][rng.below(9) as usize];
                    world.answer(index, status);
                }
                13..=15 => {
                    world.now += rng.below(5000) as f64;
                    world.feed(Input::Tick { now_ms: world.now });
                }
                16 => world.reload(),
                17 => {
                    let state = [State::In, State::In, State::Pending, State::Out][rng.below(4) as usize];
                    world.feed(Input::Consent(Signal::Explicit(state)));
                }
                _ => {}
            }
        }
        // Drain: consent in, every request succeeds, time moves on until nothing waits.
        world.feed(Input::Consent(Signal::Explicit(State::In)));
        for _ in 0..10_000 {
            if world.in_flight.is_empty() && world.engine.held_count() == 0 {
                break;
            }
            if world.flush_due {
                world.flush();
            } else if world.in_flight.is_empty() {
                world.now += 61_000.0;
                world.feed(Input::Tick { now_ms: world.now });
            } else {
                world.answer(0, 200);
            }
        }
        assert_eq!(world.engine.held_count(), 0, "seed {seed}: the outbox drains");
        for id in &published {
            let times = world.delivered.get(id).copied().unwrap_or(0);
            let dropped = world.dropped.contains(id);
            assert!(
                (times == 1 && !dropped) || (times == 0 && dropped),
                "seed {seed}: {id} delivered {times} times, dropped with a diagnostic: {dropped}"
            );
        }
        let order: Vec<&String> = published.iter().filter(|id| world.sent_once.contains(*id)).collect();
        assert_eq!(world.first_sent.iter().collect::<Vec<_>>(), order, "seed {seed}: first attempts in publish order");
        largest_request = largest_request.max(world.largest_request);
    }
    assert!(largest_request > 1, "bursts were batched (largest request: {largest_request} events)");
}
