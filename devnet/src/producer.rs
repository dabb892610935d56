//! The slot producer: a slot every `slot_ms` on its own thread (catching up without bursts
//! when a slot ran long), until stopped, after `max_slots`, or on a node failure.
use crate::node::{DevnetError, Node};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running slot producer.
pub struct Producer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    done: mpsc::Receiver<Result<u64, DevnetError>>,
}

impl Producer {
    /// Starts producing slots on `node`.
    pub fn start(node: Arc<Node>, max_slots: Option<u64>) -> Producer {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, done) = mpsc::channel();
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let _ = tx.send(produce(&node, &stop, max_slots));
            })
        };
        Producer { stop, thread: Some(thread), done }
    }

    /// The flag that stops the loop (set by Ctrl-C handlers).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Blocks until the loop ends; returns the slots produced. A producer that died
    /// without reporting (a panic) is an error.
    pub fn wait(&mut self) -> Result<u64, DevnetError> {
        let result = self.done.recv();
        self.stop();
        match result {
            Ok(r) => r,
            Err(_) => Err(DevnetError::Halted("the slot producer thread died".into())),
        }
    }

    /// Stops the loop and joins its thread.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn produce(node: &Node, stop: &AtomicBool, max_slots: Option<u64>) -> Result<u64, DevnetError> {
    let period = Duration::from_millis(node.config().slot_ms.max(1));
    let mut next = Instant::now() + period;
    let mut produced = 0u64;
    while !stop.load(Ordering::Relaxed) && max_slots.is_none_or(|m| produced < m) {
        let now = Instant::now();
        if now < next {
            std::thread::sleep((next - now).min(Duration::from_millis(50)));
            continue;
        }
        let slot = node.produce_slot()?;
        produced += 1;
        tracing::info!(slot, "slot produced");
        next = (next + period).max(Instant::now());
    }
    Ok(produced)
}
