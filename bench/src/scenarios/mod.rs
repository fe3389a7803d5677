//! The scenarios, and the stage they share: a server, a trainer's account and capsule, rooms,
//! and a crowd of clients.

pub mod answers;
pub mod broadcast;
pub mod canvas;
pub mod capsules;
pub mod flood;
pub mod idle;
pub mod quiz;
pub mod reactions;
pub mod reconnect;
pub mod rooms;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::crowd::{Crowd, Room};
use crate::host::{self, Usage};
use crate::net::Dialer;
use crate::participant::{self, Plan};
use crate::report::Run;
use crate::server::{Launcher, Server};
use crate::stats::Stats;

/// The server a run measures.
pub enum Target {
    /// A fresh server per run, started by the harness.
    Start(Launcher),
    /// One already running (its settings are its own).
    Running {
        addr: SocketAddr,
        pid: Option<u32>,
        database_url: Option<String>,
    },
}

pub struct Stage {
    pub server: Server,
    pub api: Api,
    pub crowd: Arc<Crowd>,
    capsule: (String, Vec<String>),
    clients: Vec<JoinHandle<()>>,
    /// Load average before the run began.
    load_before: f64,
}

impl Stage {
    /// Starts (or reaches) the server with `env`, signs a trainer up and uploads a capsule.
    pub async fn open(
        target: &Target,
        sources: u8,
        env: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let load_before = host::load_average();
        let server = match target {
            Target::Start(launcher) => launcher.start(env).await?,
            Target::Running {
                addr,
                pid,
                database_url,
            } => Server::running(*addr, *pid, database_url.clone()),
        };
        let api = Api::trainer(server.addr).await?;
        let capsule = api.capsule().await?;
        let crowd = Arc::new(Crowd::new(Dialer::new(server.addr, sources)));
        Ok(Self {
            server,
            api,
            crowd,
            capsule,
            clients: Vec::new(),
            load_before,
        })
    }

    /// Launches a room on the capsule, with a one-question quiz if asked.
    pub async fn room(&self, with_quiz: bool) -> anyhow::Result<Arc<Room>> {
        let quiz = match with_quiz {
            true => Some(self.api.quiz().await?),
            false => None,
        };
        let (capsule_id, pages) = &self.capsule;
        let room = self.api.launch(capsule_id, quiz.as_deref()).await?;
        Ok(Arc::new(Room::new(room, pages.clone(), quiz)))
    }

    /// Starts `count` participants in `room`.
    pub fn spawn(&mut self, room: &Arc<Room>, count: usize, plan: Plan) {
        for _ in 0..count {
            let number = self.clients.len() + 1;
            let crowd = Arc::clone(&self.crowd);
            let client = participant::spawn(crowd, Arc::clone(room), number, plan);
            self.clients.push(client);
        }
    }

    /// Waits until every participant started has joined, then until the join storm has been
    /// delivered; returns the seconds it took to join.
    pub async fn joined(&self, since: Instant) -> anyhow::Result<f64> {
        let expected = self.clients.len() as u64;
        let at_most = Duration::from_secs(30) + Duration::from_millis(20) * expected as u32;
        let stats = &self.crowd.stats;
        if !Stats::reach(&stats.joined, expected, at_most).await {
            let joined = Stats::get(&stats.joined);
            let errors = stats.errors.lock().expect("errors lock").clone();
            bail!("{joined} of {expected} participants joined within {at_most:?}; {errors:?}");
        }
        let join_s = since.elapsed().as_secs_f64();
        stats
            .quiet(Duration::from_millis(500), Duration::from_secs(120))
            .await;
        Ok(join_s)
    }

    pub fn participants(&self) -> usize {
        self.clients.len()
    }

    /// The server's CPU time and memory so far (unknown without its process id).
    pub fn usage(&self) -> Option<Usage> {
        host::usage(self.server.pid()?).ok()
    }

    /// Participant ids of the `quiz_answered` events stored for `room`.
    pub async fn stored_answers(&self, room: &Room) -> anyhow::Result<Option<Vec<String>>> {
        let Some(url) = &self.server.database_url else {
            return Ok(None);
        };
        let db = pratico::store::Db::connect(url).await?;
        let events = pratico::store::events::for_room(&db, room.id.parse()?).await?;
        db.close().await;
        Ok(Some(
            events
                .iter()
                .filter(|e| e.kind == "quiz_answered")
                .filter_map(|e| e.data.0["participant_id"].as_str().map(str::to_owned))
                .collect(),
        ))
    }

    /// Puts the answers stored for `room` (`answers_stored`) and how many of `acked` are not
    /// among them (`acked_not_stored`); unknown without the server's database.
    pub async fn put_stored(
        &self,
        room: &Room,
        acked: &HashSet<String>,
        run: &mut Run,
    ) -> anyhow::Result<()> {
        match self.stored_answers(room).await? {
            Some(stored) => {
                let stored: HashSet<String> = stored.into_iter().collect();
                run.put("answers_stored", stored.len() as f64);
                run.put("acked_not_stored", acked.difference(&stored).count() as f64);
            }
            None => run.put("answers_stored", f64::NAN),
        }
        Ok(())
    }

    /// Adds what every run reports, stops the clients and the server.
    pub async fn finish(self, run: &mut Run) {
        let stats = &self.crowd.stats;
        let peak = self
            .usage()
            .map_or(f64::NAN, |u| u.peak_rss_kib as f64 / 1024.0);
        run.put("server_peak_rss_mib", peak);
        run.put("drops", Stats::get(&stats.drops) as f64);
        run.put("load_before", self.load_before);
        run.put("load_after", host::load_average());
        run.errors = stats.errors.lock().expect("errors lock").clone();
        self.crowd.stop.cancel();
        for client in self.clients {
            let _ = client.await;
        }
        self.server.stop().await;
    }
}

/// Seconds of server CPU between two readings.
pub fn cpu_between(before: Option<Usage>, after: Option<Usage>) -> f64 {
    match (before, after) {
        (Some(b), Some(a)) => a.cpu_s - b.cpu_s,
        _ => f64::NAN,
    }
}
