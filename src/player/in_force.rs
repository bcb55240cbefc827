//! What is in force besides the items: the ticker files, the caption files
//! of the clip on screen and, in signed mode, the playlist.yaml and its
//! signature accepted. Their bytes go into the shown-content store
//! (`backup::objects`) the first time they are used, from the very bytes
//! the player read, and a `content_in_force` journal line names their
//! SHA-256, so the month's backup packs them whatever the folder holds
//! since.
//!
//! A line is written when a file's bytes are first used in a run, when they
//! change, and once a month for what stays in force (the ticker, the
//! manifest): each month's journal names everything in force in it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;

use crate::backup::ObjectStore;
use crate::clock::Clock;
use crate::content::plugin::ContentChanged;
use crate::job::Job;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::screen_state::ScreenState;

/// What a file in force is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum InForceKind {
    Ticker,
    Captions,
    Manifest,
    Signature,
    /// A text slide's background picture, while the slide shows.
    Background,
}

impl InForceKind {
    fn name(self) -> &'static str {
        match self {
            InForceKind::Ticker => "ticker",
            InForceKind::Captions => "captions",
            InForceKind::Manifest => "manifest",
            InForceKind::Signature => "signature",
            InForceKind::Background => "background",
        }
    }

    /// Stays in force until the next catalog (not only while a clip plays).
    fn stands(self) -> bool {
        !matches!(self, InForceKind::Captions | InForceKind::Background)
    }
}

/// Bytes put in force: the ticker and the captions write one for each file
/// they read, with the bytes they read it from.
#[derive(Message, Debug, Clone)]
pub(super) struct PutInForce {
    pub kind: InForceKind,
    /// The path in the content folder, e.g. `ticker.vi.txt`.
    pub file: String,
    pub bytes: Arc<Vec<u8>>,
}

impl PutInForce {
    pub fn new(kind: InForceKind, file: &Path, bytes: Vec<u8>) -> Self {
        Self {
            kind,
            file: file.to_string_lossy().into_owned(),
            bytes: Arc::new(bytes),
        }
    }
}

/// One file's bytes after the store took them (or did not).
struct Stored {
    put: PutInForce,
    sha256: Result<String, String>,
}

/// Where the bytes go, and what the journal already says.
#[derive(Resource)]
struct InForce {
    /// `None`: nothing is kept (the player runs without a data folder).
    store: Option<ObjectStore>,
    /// With signing: the trust state file the accepted manifest is read from.
    trust_state: Option<PathBuf>,
    time_zone: chrono_tz::Tz,
    /// Storing now, each job with the catalog it was started under.
    storing: Vec<Job<(u64, Vec<Stored>)>>,
    /// Counts catalogs: a job started under an older one adds nothing to
    /// `standing`.
    catalog: u64,
    /// Per kind and file: the SHA-256 last journaled, and in which month.
    journaled: HashMap<(InForceKind, String), (String, String)>,
    /// What stays in force, noted again in each new month.
    standing: HashMap<(InForceKind, String), PutInForce>,
    /// The month standing files were last noted in.
    month: Option<String>,
}

/// How often, in real time, a new month is looked for (besides each opening).
const MONTH_CHECK: Duration = Duration::from_secs(60);

pub(super) fn plugin(
    app: &mut App,
    objects_dir: Option<PathBuf>,
    trust_state: Option<PathBuf>,
    time_zone: chrono_tz::Tz,
) {
    app.add_message::<PutInForce>()
        .insert_resource(InForce {
            store: objects_dir.map(ObjectStore::new),
            trust_state,
            time_zone,
            storing: Vec::new(),
            catalog: 0,
            journaled: HashMap::new(),
            standing: HashMap::new(),
            month: None,
        })
        .add_systems(OnEnter(ScreenState::Open), renew_in_force)
        .add_systems(
            Update,
            (
                store_in_force,
                renew_in_force.run_if(on_real_timer(MONTH_CHECK)),
                journal_in_force,
            )
                .chain(),
        );
}

/// Starts storing the files put in force; a new catalog replaces the
/// standing ones (and in signed mode brings the manifest accepted).
fn store_in_force(
    mut changes: MessageReader<ContentChanged>,
    mut puts: MessageReader<PutInForce>,
    mut in_force: ResMut<InForce>,
) {
    let signed = changes.read().last().map(|change| {
        in_force.standing.clear();
        in_force.catalog += 1;
        change.catalog.manifest_version.is_some()
    });
    let catalog = in_force.catalog;
    let puts: Vec<PutInForce> = puts.read().cloned().collect();
    // Most frames bring nothing: checked before anything is cloned.
    let trust_state = in_force
        .trust_state
        .as_ref()
        .filter(|_| signed == Some(true));
    if puts.is_empty() && trust_state.is_none() {
        return;
    }
    let trust_state = trust_state.cloned();
    let Some(store) = in_force.store.clone() else {
        return;
    };
    let job = Job::start_quietly("in-force", move || {
        let mut puts = puts;
        if let Some(state) = trust_state {
            match crate::content::accepted_manifest(&state) {
                Ok(Some(accepted)) => {
                    let (m, s) = (
                        Path::new("playlist.yaml"),
                        Path::new("playlist.yaml.minisig"),
                    );
                    puts.push(PutInForce::new(InForceKind::Manifest, m, accepted.manifest));
                    puts.push(PutInForce::new(
                        InForceKind::Signature,
                        s,
                        accepted.signature,
                    ));
                }
                Ok(None) => {}
                Err(e) => warn!("the manifest in force is not archived: {e}"),
            }
        }
        (catalog, put_all(&store, puts))
    });
    in_force.storing.push(job);
}

/// Notes the standing files again when the month has changed since.
fn renew_in_force(clock: Res<Clock>, mut in_force: ResMut<InForce>) {
    let month = crate::journal::month_at(clock.now(), in_force.time_zone);
    if in_force.month.as_ref() == Some(&month) {
        return;
    }
    in_force.month = Some(month);
    let (Some(store), false) = (in_force.store.clone(), in_force.standing.is_empty()) else {
        return;
    };
    let puts: Vec<PutInForce> = in_force.standing.values().cloned().collect();
    let catalog = in_force.catalog;
    // Stored again too: a month's pruning may have removed them.
    let job = Job::start_quietly("in-force", move || (catalog, put_all(&store, puts)));
    in_force.storing.push(job);
}

/// Runs on the job's thread.
fn put_all(store: &ObjectStore, puts: Vec<PutInForce>) -> Vec<Stored> {
    puts.into_iter()
        .map(|put| Stored {
            sha256: store.put_bytes(&put.bytes).map_err(|e| e.to_string()),
            put,
        })
        .collect()
}

/// Journals each file stored whose bytes the journal does not name yet this
/// month.
fn journal_in_force(clock: Res<Clock>, mut in_force: ResMut<InForce>, mut record: Record) {
    let mut finished = Vec::new();
    in_force.storing.retain_mut(|job| match job.try_finish() {
        Some(result) => {
            finished.push(result);
            false
        }
        None => true,
    });
    if finished.is_empty() {
        return;
    }
    let month = crate::journal::month_at(clock.now(), in_force.time_zone);
    for result in finished {
        let (catalog, stored) = match result {
            Ok(done) => done,
            Err(e) => {
                warn!("files in force not archived: {e}");
                continue;
            }
        };
        for Stored { put, sha256 } in stored {
            let sha256 = match sha256 {
                Ok(sha256) => sha256,
                Err(e) => {
                    warn!("{}: not kept in the shown-content store: {e}", put.file);
                    continue;
                }
            };
            let key = (put.kind, put.file.clone());
            let noted = (sha256.clone(), month.clone());
            if in_force.journaled.get(&key) != Some(&noted) {
                record.event(Event::ContentInForce {
                    kind: put.kind.name().into(),
                    file: put.file.clone(),
                    sha256,
                });
                in_force.journaled.insert(key.clone(), noted);
            }
            if put.kind.stands() && catalog == in_force.catalog {
                in_force.standing.insert(key, put);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use bevy::state::app::StatesPlugin;

    use super::*;
    use crate::journal::plugin::Recorder;
    use crate::journal::{Journal, month_files, read_file};
    use crate::test_support::{HCM, hcm};

    fn app(dir: &Path, at: &str) -> App {
        app_with(dir, at, None)
    }

    fn app_with(dir: &Path, at: &str, trust_state: Option<PathBuf>) -> App {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .init_state::<ScreenState>()
            .add_message::<ContentChanged>()
            .insert_resource(Clock::starting_at(hcm(at), 0.0))
            .insert_resource(Recorder::synchronous(
                Journal::open(&dir.join("journal"), "test", HCM).unwrap(),
            ));
        plugin(&mut app, Some(dir.join("objects")), trust_state, HCM);
        app
    }

    /// Frames until the storing threads are done.
    fn settle(app: &mut App) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            app.update();
            if app.world().resource::<InForce>().storing.is_empty() {
                app.update();
                return;
            }
            assert!(std::time::Instant::now() < deadline, "never stored");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn put(app: &mut App, kind: InForceKind, file: &str, text: &str) {
        let put = PutInForce::new(kind, Path::new(file), text.as_bytes().to_vec());
        app.world_mut().write_message(put);
        settle(app);
    }

    /// The `content_in_force` lines: (kind, file, sha256).
    fn lines(dir: &Path) -> Vec<(String, String, String)> {
        month_files(&dir.join("journal"))
            .iter()
            .flat_map(|f| read_file(f).records)
            .filter(|l| l["event"] == "content_in_force")
            .map(|l| {
                let field = |k: &str| l[k].as_str().unwrap().to_owned();
                (field("kind"), field("file"), field("sha256"))
            })
            .collect()
    }

    fn sha(text: &str) -> String {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
    }

    #[test]
    fn bytes_in_force_are_stored_and_journaled_once_a_version_and_a_month() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), "2026-11-02 08:00");
        put(&mut app, InForceKind::Ticker, "ticker.vi.txt", "Tin một\n");
        put(&mut app, InForceKind::Ticker, "ticker.vi.txt", "Tin một\n");
        put(&mut app, InForceKind::Captions, "clip.km.srt", "1\n");
        put(&mut app, InForceKind::Captions, "clip.km.srt", "1\n");
        put(&mut app, InForceKind::Ticker, "ticker.vi.txt", "Tin hai\n");
        let ticker = |text| ("ticker".into(), "ticker.vi.txt".into(), sha(text));
        let captions = ("captions".into(), "clip.km.srt".into(), sha("1\n"));
        let expected = vec![ticker("Tin một\n"), captions.clone(), ticker("Tin hai\n")];
        assert_eq!(lines(dir.path()), expected);
        let store = ObjectStore::new(dir.path().join("objects"));
        for text in ["Tin một\n", "Tin hai\n", "1\n"] {
            let object = store.path_of(&sha(text)).unwrap();
            assert_eq!(std::fs::read_to_string(object).unwrap(), text);
        }

        // A new month: the ticker still in force is named again (and stored
        // again, had a pruning removed it); the clip's captions when it plays.
        std::fs::remove_file(store.path_of(&sha("Tin hai\n")).unwrap()).unwrap();
        app.insert_resource(Clock::starting_at(hcm("2026-12-01 07:00"), 0.0));
        app.world_mut()
            .resource_mut::<NextState<ScreenState>>()
            .set(ScreenState::Open);
        settle(&mut app);
        let mut expected = expected;
        expected.push(ticker("Tin hai\n"));
        assert_eq!(lines(dir.path()), expected);
        assert!(store.path_of(&sha("Tin hai\n")).unwrap().is_file());
        let december = dir.path().join("journal/2026-12.jsonl");
        assert!(december.is_file(), "the December journal names it");
    }

    #[test]
    fn in_signed_mode_the_manifest_and_signature_accepted_are_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state/trust.json");
        std::fs::create_dir_all(state.parent().unwrap()).unwrap();
        let (manifest, signature) = ("version: 3\n", "untrusted comment: x\nRWQ\n");
        let json = serde_json::json!({
            "format": 1, "highest_version": 3, "manifest": manifest, "signature": signature,
        });
        std::fs::write(&state, json.to_string()).unwrap();
        let mut app = app_with(dir.path(), "2026-11-02 08:00", Some(state));
        let change = |version| ContentChanged {
            catalog: crate::content::Catalog {
                manifest_version: version,
                ..Default::default()
            },
            diff: Default::default(),
        };
        // No manifest in use (refused, or none yet): nothing in force.
        app.world_mut().write_message(change(None));
        settle(&mut app);
        assert_eq!(lines(dir.path()), []);
        app.world_mut().write_message(change(Some(3)));
        settle(&mut app);
        let expected = [
            ("manifest".into(), "playlist.yaml".into(), sha(manifest)),
            (
                "signature".into(),
                "playlist.yaml.minisig".into(),
                sha(signature),
            ),
        ];
        assert_eq!(lines(dir.path()), expected);
        let store = ObjectStore::new(dir.path().join("objects"));
        let object = store.path_of(&sha(manifest)).unwrap();
        assert_eq!(std::fs::read_to_string(object).unwrap(), manifest);
    }
}
