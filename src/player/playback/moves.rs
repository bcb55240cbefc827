//! The moves from item to item: each changes the playback state and
//! returns the journal events it causes, for the systems to write.

use bevy::prelude::*;

use super::fingerprint::Fingerprint;
use super::{
    HISTORY_LENGTH, IDLE_RETRY_SECS, Playback, Prep, Preparing, Showing, Staged, failure_key,
    item_name,
};
use crate::content::{Catalog, Item};
use crate::journal::{Ending, Event};
use crate::playlist::Why;

/// The moves from item to item, each returning what it journals.
impl Playback {
    /// A new catalog from the folder watcher: the place in the loop and the
    /// item on screen are kept.
    pub(super) fn apply_catalog(&mut self, catalog: &Catalog) {
        self.playlist.update(catalog);
        self.catalog = catalog.clone();
        self.waiting_for_catalog = false;
        self.nothing_to_play = false;
    }

    /// Slides that left the screen, to despawn.
    pub(in crate::player) fn take_retired(&mut self) -> Vec<Entity> {
        std::mem::take(&mut self.retired)
    }

    /// When a new urgent item is due, it cuts in at once: the item on
    /// screen ends `skipped` and the one being prepared is dropped.
    pub(super) fn preempt_for_urgent(
        &mut self,
        now: f64,
        now_local: chrono::NaiveDateTime,
    ) -> Option<Preemption> {
        if !self.playlist.has_new_urgent(now_local) {
            return None;
        }
        let interrupted = self.current_item().map(item_name);
        let ended = self.end_showing(now, Ending::Skipped, None);
        self.drop_preparing();
        Some(Preemption { interrupted, ended })
    }

    /// Whether to start preparing the next item: nothing is being prepared
    /// and the item on screen is within `lead` seconds of its end.
    /// `on_last_page` tells whether a text slide shows its last page.
    pub(super) fn wants_next(
        &self,
        now: f64,
        lead: f64,
        on_last_page: impl FnOnce(Entity, usize) -> bool,
    ) -> bool {
        if self.preparing.is_some() {
            return false;
        }
        match &self.showing {
            Showing::Holding => !self.waiting_for_catalog,
            Showing::Fallback => now >= self.retry_due,
            Showing::Picture { until, .. } => now >= until - lead,
            Showing::Text {
                slide,
                page,
                page_until,
                ..
            } => on_last_page(*slide, *page) && now >= page_until - lead,
            // A clip of unknown length gets its successor at its end.
            Showing::Video { pipeline, .. } => match (pipeline.position(), pipeline.duration()) {
                (Some(position), Some(duration)) => {
                    position.as_secs_f64() >= duration.as_secs_f64() - lead
                }
                _ => false,
            },
        }
    }

    /// The next item to open, one that has not failed before; with it, a
    /// `preempted` line when it is a new urgent item (`interrupted` names
    /// what it cut short). `None` when nothing plays now: asked again after
    /// [`IDLE_RETRY_SECS`].
    pub(super) fn next_item(
        &mut self,
        now: f64,
        now_local: chrono::NaiveDateTime,
        interrupted: Option<String>,
    ) -> Option<(Item, Option<Event>)> {
        let Some((item, why)) = self.take_next(now_local) else {
            self.nothing_to_play = true;
            self.retry_due = now + IDLE_RETRY_SECS;
            return None;
        };
        self.nothing_to_play = false;
        let preempted = (why == Why::Urgent).then(|| {
            info!("urgent: {}", item.path.display());
            Event::Preempted {
                item: item_name(&item),
                interrupted,
            }
        });
        Some((item, preempted))
    }

    /// The next item to show that has not failed before.
    pub(super) fn take_next(&mut self, now_local: chrono::NaiveDateTime) -> Option<(Item, Why)> {
        if let Some(item) = self.queued.take() {
            return Some((item, Why::Regular));
        }
        // Bounded: every failed item could come round once before a good one.
        for _ in 0..=self.catalog.items.len() {
            let entry = self.playlist.next(now_local)?;
            if !self.failed.contains(&failure_key(&entry.item)) {
                return Some((entry.item, entry.reason));
            }
        }
        None
    }

    /// `item` is being opened; its bytes start being hashed and stored.
    pub(super) fn start_preparing(&mut self, item: Item, now: f64, prep: Prep) {
        let fingerprint = Fingerprint::start(self.objects.as_ref(), &item.path);
        self.preparing = Some(Preparing {
            item,
            since: now,
            prep,
            staged: None,
            fingerprint,
        });
    }

    /// Takes the item's SHA-256 once its thread has it (see
    /// [`Fingerprint::poll`]).
    pub(super) fn poll_fingerprint(&mut self, now: f64) {
        if let Some(preparing) = &mut self.preparing {
            let waited = now - preparing.since;
            preparing.fingerprint.poll(&preparing.item.path, waited);
        }
    }

    /// An item that cannot be shown: not tried again until its file changes
    /// (path, size and modification time). Returns its `item_failed`.
    pub(super) fn fail(&mut self, item: &Item, reason: String) -> Event {
        warn!("skipping {}: {reason}", item.path.display());
        self.failed.insert(failure_key(item));
        Event::ItemFailed {
            item: item_name(item),
            kind: item.kind.name().into(),
            reason,
            stage: "play".into(),
        }
    }

    /// The item being prepared cannot be shown: dropped (its slide retired)
    /// and remembered as failed.
    pub(super) fn fail_preparing(&mut self, reason: String) -> Option<Event> {
        let failed = self.preparing.take()?;
        let event = self.fail(&failed.item, reason);
        if let Prep::Text(slide) = failed.prep {
            self.retired.push(slide);
        }
        Some(event)
    }

    /// The GPU refused a texture of the item named `item`: whether it is
    /// being prepared or on screen, it is dropped or ended as an error, and
    /// not tried again until its file changes. Returns what that journals.
    pub(in crate::player) fn fail_rendering(
        &mut self,
        item: &str,
        reason: String,
        now: f64,
    ) -> Vec<Event> {
        let preparing = self.preparing.as_ref().map(|p| item_name(&p.item));
        if preparing.as_deref() == Some(item) {
            return self.fail_preparing(reason).into_iter().collect();
        }
        let Some(showing) = self
            .current_item()
            .filter(|i| item_name(i) == item)
            .cloned()
        else {
            return Vec::new();
        };
        let failed = self.fail(&showing, reason.clone());
        let ended = self.end_showing(now, Ending::Error, Some(reason));
        [Some(failed), ended].into_iter().flatten().collect()
    }

    /// The prepared item, once it is staged (ready to show at once) and its
    /// SHA-256 is known.
    pub(super) fn take_staged(&mut self) -> Option<Preparing> {
        self.preparing
            .take_if(|p| p.staged.is_some() && p.fingerprint.is_known())
    }

    /// Nothing is being prepared and the playlist had nothing to play: the
    /// fallback slide goes up. `true` when it just did (the stage is then
    /// to be hidden).
    pub(super) fn show_fallback_if_idle(&mut self) -> bool {
        if self.preparing.is_some() || !self.nothing_to_play || self.is_fallback() {
            return false;
        }
        self.showing = Showing::Fallback;
        self.retired.extend(self.lingering.take());
        true
    }

    /// The staged item goes on screen (its layer already brought to the
    /// front, its slide made visible) for `seconds` (a text slide: per
    /// page). Returns its `play_started`.
    pub(super) fn present(&mut self, preparing: Preparing, now: f64, seconds: f64) -> Event {
        let Preparing {
            item,
            prep,
            staged,
            fingerprint,
            ..
        } = preparing;
        info!("showing {}", item.path.display());
        self.history.push_back(item.clone());
        if self.history.len() > HISTORY_LENGTH {
            self.history.pop_front();
        }
        self.retired.extend(self.lingering.take());
        let started = Event::PlayStarted {
            item: item_name(&item),
            kind: item.kind.name().into(),
            language: item.language.code().into(),
            sha256: fingerprint.sha256(),
        };
        self.showing = match (prep, staged) {
            (Prep::Video(pipeline), Some(Staged::OnLayer(layer))) => {
                pipeline.set_volume(self.volume);
                pipeline.play();
                Showing::Video {
                    item,
                    since: now,
                    pipeline,
                    layer,
                    frames: 1,
                }
            }
            (Prep::Text(slide), _) => Showing::Text {
                item,
                since: now,
                slide,
                page: 0,
                page_until: now + seconds,
            },
            _ => Showing::Picture {
                until: now + seconds,
                item,
                since: now,
            },
        };
        started
    }

    /// The item on screen ends as `ended` (with `reason` for an error):
    /// returns its `play_ended`, `None` when nothing was playing. The
    /// screen is free for the next item; the last picture (or text slide)
    /// stays until that shows.
    pub(super) fn end_showing(
        &mut self,
        now: f64,
        ended: Ending,
        reason: Option<String>,
    ) -> Option<Event> {
        let (item, since, frames, pages) =
            match std::mem::replace(&mut self.showing, Showing::Holding) {
                Showing::Picture { item, since, .. } => (item, since, None, None),
                Showing::Video {
                    item,
                    since,
                    frames,
                    ..
                } => (item, since, Some(frames), None),
                Showing::Text {
                    item,
                    since,
                    slide,
                    page,
                    ..
                } => {
                    if let Some(old) = self.lingering.replace(slide) {
                        self.retired.push(old);
                    }
                    (item, since, None, Some(page as u64 + 1))
                }
                other => {
                    self.showing = other;
                    return None;
                }
            };
        if let Some(reason) = &reason {
            warn!("{}: stopped with an error: {reason}", item.path.display());
        }
        Some(Event::PlayEnded {
            item: item_name(&item),
            kind: item.kind.name().into(),
            language: item.language.code().into(),
            shown_ms: ((now - since).max(0.0) * 1000.0).round() as u64,
            frames,
            pages,
            ended,
            reason,
        })
    }

    /// Forgets the item being prepared (its slide, if any, is retired).
    pub(super) fn drop_preparing(&mut self) {
        if let Some(Preparing {
            prep: Prep::Text(slide),
            ..
        }) = self.preparing.take()
        {
            self.retired.push(slide);
        }
    }

    /// Closing time: the item on screen ends `stopped`, the next one is
    /// dropped, and every slide is retired (the stage goes dark).
    pub(in crate::player) fn close(&mut self, now: f64) -> Option<Event> {
        let ended = self.end_showing(now, Ending::Stopped, None);
        self.showing = Showing::Holding;
        self.drop_preparing();
        let lingering = self.lingering.take();
        self.retired.extend(lingering);
        ended
    }

    /// The player exits: the item on screen ends `stopped`.
    pub(in crate::player) fn stop_at_exit(&mut self, now: f64) -> Option<Event> {
        let ended = self.end_showing(now, Ending::Stopped, None);
        self.preparing = None;
        ended
    }
}

/// An urgent item cutting in: the name of what it interrupted (for its
/// `preempted` line) and how that ended.
pub(super) struct Preemption {
    pub(super) interrupted: Option<String>,
    pub(super) ended: Option<Event>,
}
