// mistake: sent-per-broadcast
// fails: counts every message received, and every copy sent
//
// `chat_messages_sent_total` counts one per broadcast, however many clients it reached: with
// three clients it says a third of what went out, and "sent" always equals "received".
enum SentPerBroadcast {
    /// What one broadcast adds to `sent`.
    static func copies(_ clients: Int) -> Int { 1 }
}
