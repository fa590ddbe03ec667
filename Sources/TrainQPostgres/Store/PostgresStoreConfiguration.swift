/// How one daemon uses the shared database.
public struct PostgresStoreConfiguration: Sendable {
    /// This daemon's name in the database (`instance.name`): who took a submission, who holds a lease.
    /// Unique among the daemons that share the database.
    public var instanceName: String
    /// How long a job's lease lasts on the database's clock without a heartbeat (`database.lease`). Each
    /// create starts right after the commit that renewed its job's lease for this long, so it must be
    /// longer than a create can take: a daemon cut off from the database has then given up on its create
    /// before another daemon may take the job over.
    public var leaseDuration: Duration
    /// The longest one store call waits for the database before it answers `unavailable`.
    public var operationTimeout: Duration
    public var maximumConnections: Int

    public init(
        instanceName: String, leaseDuration: Duration = .seconds(60), operationTimeout: Duration = .seconds(10),
        maximumConnections: Int = 10
    ) {
        self.instanceName = instanceName
        self.leaseDuration = leaseDuration
        self.operationTimeout = operationTimeout
        self.maximumConnections = maximumConnections
    }

    /// How often the heartbeat renews the leases: often enough that two missed beats still leave time.
    public var heartbeatInterval: Duration { leaseDuration / 4 }

    var leaseSeconds: Double { Double(leaseDuration.components.seconds) + Double(leaseDuration.components.attoseconds) / 1e18 }
}
