/// A deadline armed on one direction of one descriptor. It is stale, and ignored, once the
/// descriptor's generation for that direction has moved on (an earlier deadline, or close).
struct TimerEntry: Sendable {
    let when: ContinuousClock.Instant
    let descriptor: PollDesc
    let direction: Direction
    let generation: UInt64

    var isStale: Bool { descriptor.generation(direction) != generation }
}

/// A binary min-heap of deadlines. Moving a deadline earlier pushes a new entry and leaves the
/// old one stale (moving it later pushes nothing: see `PollDesc.setDeadline`); stale entries
/// are dropped when they reach the top, and the whole heap is compacted whenever it has doubled
/// since the last compaction, so the heap stays as small as its live deadlines.
struct TimerHeap {
    private var entries: [TimerEntry] = []
    private var compactAt = 1024
    var sleeping = false
    var sleepUntil: ContinuousClock.Instant?

    var count: Int { entries.count }
    /// Entries ever pushed (for tests: how many timers deadline changes armed).
    private(set) var pushed = 0
    var earliest: ContinuousClock.Instant? { entries.first?.when }

    mutating func push(_ entry: TimerEntry) {
        pushed &+= 1
        entries.append(entry)
        siftUp(entries.count - 1)
        if entries.count >= compactAt { compact() }
    }

    /// Moves every entry due at `now` into `due`, dropping stale ones.
    mutating func popDue(now: ContinuousClock.Instant, into due: inout [TimerEntry]) {
        while let top = entries.first, top.when <= now || top.isStale {
            let entry = popTop()
            if !entry.isStale { due.append(entry) }
        }
    }

    private mutating func compact() {
        entries.removeAll(where: \.isStale)
        if entries.count > 1 {
            for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        }
        compactAt = max(1024, entries.count * 2)
    }

    private mutating func popTop() -> TimerEntry {
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return top
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].when < entries[parent].when else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].when < entries[smallest].when { smallest = left }
            if right < entries.count, entries[right].when < entries[smallest].when { smallest = right }
            if smallest == parent { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
