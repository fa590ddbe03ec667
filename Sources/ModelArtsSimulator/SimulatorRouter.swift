import Hummingbird

/// Assembles the routes. Middleware first: routes capture the middleware present when they are added.
enum SimulatorRouter {
    static func make(cloud: SimulatedCloud, configuration: SimulatorConfiguration) -> Router<SimulatorRequestContext> {
        let router = Router(context: SimulatorRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        let gateway = APIGateway(
            cloud: cloud,
            authenticator: RequestAuthenticator(
                accessKeys: configuration.accessKeys,
                required: configuration.requiresAuthentication,
                clockSkew: configuration.signatureClockSkew),
            rateLimit: configuration.rateLimit
        )
        VersionRoutes(cloud: cloud, gateway: gateway).register(on: router)
        JobRoutes(cloud: cloud, gateway: gateway).register(on: router)
        TrainingJobRoutes(cloud: cloud, gateway: gateway).register(on: router)
        TokenRoutes(
            cloud: cloud, gateway: gateway, user: configuration.iamUser,
            requiresAuthentication: configuration.requiresAuthentication
        ).register(on: router)
        ControlRoutes(cloud: cloud).register(on: router)
        return router
    }
}
