extension Duration {
    /// As a fraction of seconds, for gauges and the figures people read.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
