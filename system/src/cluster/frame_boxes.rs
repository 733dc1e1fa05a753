//! The boxes of frames an endpoint partition received, kept for the frames it sends next, so that a frame's box circulates between partitions instead of being freed by a thread other than the one that allocated it.
//!
//! A request's box is allocated by a client, crosses to the network and on
//! to a server; the server keeps it and sends its response in it; the
//! client keeps that one for a later request. With several threads, freeing
//! a box another thread allocated costs the allocator a cross-thread free
//! (an atomic on the owner's page, then the owner collecting it); reusing it
//! costs nothing. The contents are moved out and in; which box carries a
//! frame never changes a result. At most [`MAX_SPARE_BOXES`] are kept, so an
//! endpoint that receives more than it sends frees the rest.

use super::world::NetFrame;

/// Most boxes one partition keeps.
pub const MAX_SPARE_BOXES: usize = 64;

/// Spare frame boxes of one partition.
#[derive(Default)]
pub struct FrameBoxes {
    // the boxes themselves are what is kept (the allocations), not frames
    #[allow(clippy::vec_box)]
    spare: Vec<Box<NetFrame>>,
}

impl FrameBoxes {
    /// Keeps `b` (if there is room) once its frame was handled. The caller
    /// took what owns memory out of it (the payload), so a kept box holds
    /// only plain values: stale, and overwritten by [`FrameBoxes::boxed`].
    pub fn keep(&mut self, b: Box<NetFrame>) {
        if self.spare.len() < MAX_SPARE_BOXES {
            self.spare.push(b);
        }
    }

    /// `f` in a kept box, or a new one.
    pub fn boxed(&mut self, f: NetFrame) -> Box<NetFrame> {
        match self.spare.pop() {
            Some(mut b) => {
                *b = f;
                b
            }
            None => Box::new(f),
        }
    }

    /// Boxes kept now.
    pub fn len(&self) -> usize {
        self.spare.len()
    }

    /// Whether no box is kept.
    pub fn is_empty(&self) -> bool {
        self.spare.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::fabric::{Hop, WireFrame};
    use crate::cluster::link::Transit;
    use crate::cluster::topology::NodeRef;
    use crate::cluster::world::flow;
    use scheduler::{Endpoint, Message, NO_ACTOR};
    use sim_core::SimTime;

    /// A frame that owns no memory (tests).
    fn empty_frame() -> NetFrame {
        NetFrame {
            wire: WireFrame {
                id: 0,
                src: 0,
                dst: 0,
                bytes: 0,
                flow: flow(0, 0, 0, 0),
            },
            msg: Message {
                id: 0,
                src: Endpoint::Network { node: 0, port: 0 },
                dst: NO_ACTOR,
                kind: 0,
                payload: Vec::new(),
                created_at: SimTime::ZERO,
            },
            port: 0,
            hop: Hop {
                to: NodeRef::Switch(0),
                link: 0,
                dir: 0,
                transit: Transit {
                    tx_start: SimTime::ZERO,
                    tx_end: SimTime::ZERO,
                    rx_first: SimTime::ZERO,
                    rx_last: SimTime::ZERO,
                    queued_bytes: 0,
                    lost: false,
                },
                port: None,
            },
        }
    }

    fn frame(id: u64, payload: Vec<u8>) -> NetFrame {
        let mut f = empty_frame();
        f.wire.id = id;
        f.msg.payload = payload;
        f
    }

    #[test]
    fn a_box_is_reused_with_its_new_contents_and_the_pool_is_bounded() {
        let mut boxes = FrameBoxes::default();
        let b = boxes.boxed(frame(1, vec![1, 2, 3]));
        let addr = &*b as *const NetFrame as usize;
        assert_eq!((b.wire.id, b.msg.payload.as_slice()), (1, &[1u8, 2, 3][..]));
        boxes.keep(b);
        assert_eq!(boxes.len(), 1);
        let b = boxes.boxed(frame(2, vec![9]));
        assert_eq!(
            &*b as *const NetFrame as usize, addr,
            "the kept box carries the next frame"
        );
        assert_eq!((b.wire.id, b.msg.payload.as_slice()), (2, &[9u8][..]));
        assert!(boxes.is_empty());
        for i in 0..MAX_SPARE_BOXES as u64 + 10 {
            boxes.keep(Box::new(frame(i, Vec::new())));
        }
        assert_eq!(boxes.len(), MAX_SPARE_BOXES);
    }
}
