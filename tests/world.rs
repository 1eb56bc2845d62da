//! World axes, as properties over many seeds: every scene of every built-in template holds one
//! consistent world, the user's pins are never overridden, and the set modes (exhaustive,
//! pairwise) make only scenes that random drawing could make.

use promptloom::batch::pairwise::Covering;
use promptloom::batch::space::Space;
use promptloom::library::Library;
use promptloom::library::check::scene_incoherence;
use promptloom::matching::words;
use promptloom::scene::{Plan, Scene, build};
use promptloom::world::{NONE, OPEN};

/// What `scene_incoherence` says that is a real contradiction (an empty slot is a gap, not a
/// contradiction; it is counted separately).
fn conflicts(lib: &Library, scene: &Scene) -> Vec<String> {
    scene_incoherence(lib, scene)
        .into_iter()
        .filter(|m| !m.contains("that must be filled is empty"))
        .collect()
}

#[test]
fn every_scene_holds_one_world_over_10000_seeds_per_template() {
    let lib = Library::builtin().unwrap();
    for t in &lib.templates {
        let plan = Plan::new(&lib, "", Some(&t.name)).unwrap();
        let mut empty = 0;
        for seed in 0..10_000u64 {
            let scene = build(&lib, &plan, seed, 0, false);
            let c = conflicts(&lib, &scene);
            assert!(c.is_empty(), "template {} seed {seed}: {c:?}", t.name);
            if scene_incoherence(&lib, &scene).len() > c.len() {
                empty += 1;
            }
        }
        // Slots that must be filled stay filled: the world is drawn again when one would be
        // empty, so a gap is rare (a world no entry of the slot can hold after every try).
        assert!(
            empty <= 100,
            "template {}: {empty} of 10,000 scenes left a slot empty",
            t.name
        );
    }
}

#[test]
fn the_users_pins_are_never_overridden() {
    let lib = Library::builtin().unwrap();
    let descriptions = [
        "a violinist on an empty stage under a single spotlight",
        "black and white photo of a jazz musician playing saxophone",
        "pencil sketch of a sleeping dog",
        "an old woman knitting by the fireplace on a winter night",
        "neon-lit ramen stall in the rain at midnight",
        "watercolor of a tuscan farmhouse at sunset",
        "a lone hiker on a ridge in thick fog",
        "a cozy reading nook with rain on the window",
        "a monk meditating in a mountain temple at sunrise",
        "macro shot of a dewdrop on a leaf at dawn",
        "a fox in the snow at night",
        "a golden retriever catching a frisbee in a park",
    ];
    for d in descriptions {
        let (pins, _) = lib.world.pins(&words(d));
        assert!(
            !pins.is_empty(),
            "{d}: expected the description to pin an axis"
        );
        let plan = Plan::new(&lib, d, None).unwrap();
        for seed in 0..500u64 {
            let scene = build(&lib, &plan, seed, 0, false);
            for p in &pins {
                let v = scene.world[p.axis];
                assert!(
                    p.values.contains(&v),
                    "{d} seed {seed}: axis `{}` is {} though the words pin it to {:?}; world {:?}",
                    lib.world.axes[p.axis].name,
                    if v == NONE || v == OPEN {
                        "unset".to_string()
                    } else {
                        v.to_string()
                    },
                    p.values,
                    lib.world.describe(&scene.world)
                );
            }
            let c = conflicts(&lib, &scene);
            assert!(c.is_empty(), "{d} seed {seed}: {c:?}");
        }
    }
}

#[test]
fn contradicting_pins_keep_the_first_and_report_the_second() {
    let lib = Library::builtin().unwrap();
    let (pins, lost) = lib.world.pins(&words("sunrise at midnight"));
    let time = lib
        .world
        .axes
        .iter()
        .position(|a| a.name == "time")
        .unwrap();
    let dawn = lib.world.axes[time]
        .values
        .iter()
        .position(|v| v.name == "dawn")
        .unwrap() as u8;
    assert_eq!(
        pins.iter().find(|p| p.axis == time).unwrap().values,
        vec![dawn]
    );
    assert_eq!(lost.len(), 1, "{lost:?}");
}

#[test]
fn the_longer_of_two_contradicting_pins_holds_the_world() {
    let lib = Library::builtin().unwrap();
    let place = lib
        .world
        .axes
        .iter()
        .position(|a| a.name == "place")
        .unwrap();
    let (pins, lost) = lib
        .world
        .pins(&words("an astronaut floating inside the space station"));
    let held = pins.iter().find(|p| p.axis == place).unwrap();
    assert_eq!(
        lib.world.axes[place].values[held.values[0] as usize].name,
        "space"
    );
    assert_eq!(lost.len(), 1, "{lost:?}");
}

/// The axes a description already says, by name.
fn said(lib: &Library, description: &str) -> Vec<String> {
    let ws = words(description);
    let (pins, _) = lib.world.pins(&ws);
    lib.world
        .said(&ws, &pins)
        .into_iter()
        .map(|a| lib.world.axes[a].name.clone())
        .collect()
}

#[test]
fn colours_the_user_names_say_the_palette_and_hints_say_nothing() {
    let lib = Library::builtin().unwrap();
    assert!(said(&lib, "a farmer leaning on a red tractor").contains(&"temperature".to_string()));
    assert!(said(&lib, "rolling lavender fields in provence").contains(&"temperature".to_string()));
    // "blue" inside "blue hour" names the time, not the colours.
    let s = said(&lib, "a harbour during the blue hour");
    assert!(
        s.contains(&"time".to_string()) && !s.contains(&"temperature".to_string()),
        "{s:?}"
    );
    // "running" pins energy=lively, but only hints: the mood is still written.
    let s = said(&lib, "a child running on a beach");
    assert!(!s.contains(&"energy".to_string()), "{s:?}");
    // A light the user names is said: its slots stay empty where the bodies allow.
    assert!(said(&lib, "a potter under a single bare light bulb").contains(&"light".to_string()));
    // "lit by …" says the light even where no alias names its kind.
    assert!(said(&lib, "a hall lit by a row of paper globes").contains(&"light".to_string()));
}

#[test]
fn exhaustive_scenes_fit_a_world() {
    let lib = Library::builtin().unwrap();
    let mut made = 0;
    for (ti, t) in lib.templates.iter().enumerate() {
        let space = Space::of_template(&lib, ti);
        let Some(total) = space.total128 else {
            continue;
        };
        // Positions spread over the whole space (a stride prime to most sizes); most
        // combinations of a large template are incoherent and skipped, as exhaustive does.
        let mut pos: u128 = 0;
        for _ in 0..20_000 {
            pos = (pos + 1_000_003) % total.max(1);
            if let Some(scene) = space.scene(&lib, pos, 1, 0) {
                made += 1;
                let c = conflicts(&lib, &scene);
                assert!(c.is_empty(), "template {} position {pos}: {c:?}", t.name);
            }
        }
    }
    assert!(made > 0, "no coherent scene in any template's sample");
}

#[test]
fn pairwise_rows_fit_a_world() {
    let lib = Library::builtin().unwrap();
    for name in ["coast", "interior", "portrait"] {
        let ti = lib.template_index(name).unwrap();
        let space = Space::of_template(&lib, ti);
        let cover = Covering::build(&lib, &space, 1).unwrap();
        let mut made = 0;
        for row in &cover.rows {
            let (choices, body) = cover.choices(row);
            if let Some(scene) =
                promptloom::scene::build_from_choices(&lib, ti, &choices, body, 1, 0)
            {
                made += 1;
                let c = conflicts(&lib, &scene);
                assert!(c.is_empty(), "template {name}: {c:?}");
            }
        }
        // Rows are built from pairs a world holds; a row whose three or more values no world
        // holds together is skipped when written, and must stay rare.
        assert!(
            made * 10 >= cover.rows.len() * 8,
            "template {name}: only {made} of {} rows fit a world",
            cover.rows.len()
        );
    }
}

#[test]
fn a_place_of_no_kind_the_library_knows_gets_no_furniture_of_another() {
    let lib = Library::builtin().unwrap();
    let room = lib
        .world
        .axes
        .iter()
        .position(|a| a.name == "room")
        .unwrap();
    let t = lib
        .templates
        .iter()
        .position(|t| t.name == "interior")
        .unwrap();
    let scenery: Vec<usize> = lib.templates[t]
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.scenery == Some(room))
        .map(|(i, _)| i)
        .collect();
    assert!(scenery.len() >= 2, "the interior furnishes rooms of a kind");
    for (d, kind) in [
        ("a basketball player dunking in an indoor arena", None),
        ("a cozy reading nook with rain on the window", None),
        ("a nurse resting in a hospital corridor", None),
        // An entry the words name can say the kind: a natural history museum is a hall.
        (
            "children looking at a whale skeleton in a natural history museum",
            Some("room-hall"),
        ),
        (
            "a mother and daughter baking cookies in the kitchen",
            Some("room-kitchen"),
        ),
        ("a quiet evening in the library", Some("room-library")),
    ] {
        let plan = Plan::new(&lib, d, Some("interior")).unwrap();
        let mut furnished = 0;
        for seed in 0..300u64 {
            let scene = build(&lib, &plan, seed, 0, false);
            let w = scene.world[room];
            match kind {
                None => {
                    assert_eq!(w, NONE, "{d} seed {seed}: a room of a known kind was drawn");
                    for &i in &scenery {
                        assert!(
                            scene.slots[i].picks.is_empty(),
                            "{d} seed {seed}: scenery slot `{}` was furnished",
                            lib.templates[t].slots[i].name
                        );
                    }
                }
                Some(k) => {
                    assert_eq!(lib.world.axes[room].values[w as usize].name, k, "{d}");
                    furnished +=
                        usize::from(scenery.iter().any(|&i| !scene.slots[i].picks.is_empty()));
                }
            }
        }
        if kind.is_some() {
            assert!(
                furnished > 250,
                "{d}: a named room is furnished ({furnished}/300)"
            );
        }
    }
}

/// How many of `n` scenes of `description` write a mood.
fn moods_written(lib: &Library, description: &str, n: u64) -> u64 {
    let mood = lib
        .categories
        .iter()
        .position(|c| c.name == "mood")
        .unwrap();
    let plan = Plan::new(lib, description, None).unwrap();
    (0..n)
        .filter(|&seed| {
            let scene = build(lib, &plan, seed, 0, false);
            let t = &lib.templates[scene.template];
            t.slots
                .iter()
                .zip(&scene.slots)
                .any(|(s, f)| s.category == mood && !f.picks.is_empty())
        })
        .count() as u64
}

#[test]
fn an_action_whose_feeling_no_word_says_gets_no_guessed_mood() {
    let lib = Library::builtin().unwrap();
    // "stapling" pins no energy: no mood is guessed for it.
    assert_eq!(moods_written(&lib, "a clerk stapling receipts", 100), 0);
    // Clues that disagree say nothing sure either.
    assert_eq!(
        moods_written(&lib, "a crowd fleeing the flood, cheering", 100),
        0
    );
    // "sleeping" says how the scene feels: the mood is written to match.
    assert!(moods_written(&lib, "a fox sleeping in the snow", 100) > 50);
    // No action at all: the library chooses a mood.
    assert!(moods_written(&lib, "a lighthouse on a cliff", 100) > 50);
}

/// The slot texts of a scene, by slot name.
fn slot_text(lib: &Library, scene: &Scene, name: &str) -> Option<String> {
    scene
        .slot_texts(lib)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
}

#[test]
fn a_medium_the_user_names_is_the_scenes_medium_and_never_wrapped_by_another() {
    let lib = Library::builtin().unwrap();
    for (d, medium, subject) in [
        (
            "black and white portrait of a boxer after a fight",
            "black and white portrait",
            "a boxer after a fight",
        ),
        (
            "isometric pixel art of a tiny island village",
            "isometric pixel art",
            "a tiny island village",
        ),
        (
            "a vintage travel poster of a seaside town",
            "vintage travel poster",
            "a seaside town",
        ),
    ] {
        let plan = Plan::new(&lib, d, None).unwrap();
        for seed in 0..40 {
            let scene = build(&lib, &plan, seed, 0, false);
            if scene.template(&lib).slot_index("medium").is_none() {
                continue;
            }
            // The user's words, or the library's entry that says them.
            let m = slot_text(&lib, &scene, "medium").unwrap_or_default();
            assert!(m.contains(medium), "{d} {seed}: {m}");
            // The subject is what the medium shows (its article is the body's to write).
            let s = slot_text(&lib, &scene, "subject").unwrap_or_default();
            assert_eq!(
                s.trim_start_matches("a "),
                subject.trim_start_matches("a "),
                "{d} {seed}"
            );
        }
    }
}

#[test]
fn a_style_phrase_is_never_cut_short_and_a_sentence_reads_as_a_phrase() {
    let lib = Library::builtin().unwrap();
    let d = "an elderly clockmaker in a cluttered workshop, late on christmas eve, painted in the style of a dutch golden age oil painting";
    let plan = Plan::new(&lib, d, None).unwrap();
    for seed in 0..40 {
        let scene = build(&lib, &plan, seed, 0, false);
        let subject = slot_text(&lib, &scene, "subject").unwrap_or_default();
        assert!(!subject.contains("in the style"), "{seed}: {subject}");
    }
    let d = "an old fisherman stands on a wooden pier, holding a tin mug";
    let plan = Plan::new(&lib, d, None).unwrap();
    for seed in 0..20 {
        let scene = build(&lib, &plan, seed, 0, false);
        let subject = slot_text(&lib, &scene, "subject").unwrap_or_default();
        assert!(
            subject.contains("fisherman standing on"),
            "{seed}: {subject}"
        );
    }
}

#[test]
fn several_animals_never_get_what_is_written_for_one_body() {
    let lib = Library::builtin().unwrap();
    let plan = Plan::new(&lib, "a cat and a dog sleeping together on a sofa", None).unwrap();
    for seed in 0..200 {
        let scene = build(&lib, &plan, seed, 0, false);
        for (name, text) in scene.slot_texts(&lib) {
            if name != "detail" && name != "action" {
                continue;
            }
            assert!(
                !text.contains(" its ") && !text.starts_with("its "),
                "{seed}: slot {name}: {text}"
            );
        }
    }
}
