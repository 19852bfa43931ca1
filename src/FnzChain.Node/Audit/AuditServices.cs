using FnzChain.Node.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Audit;

/// <summary>Registers the audit trail, the authentication throttle and the middleware and interceptor that feed them.</summary>
public static class AuditServices
{
    public static void Add(IServiceCollection services, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => new AuditTrail(options.AuditPath, options.Audit, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<AuditTrail>>()));
        services.AddSingleton(provider => new AuthenticationThrottle(options.AuthenticationThrottle, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<AuthenticationThrottle>>()));
        services.AddSingleton<RequestAuditor>();
        services.AddSingleton<AuditInterceptor>();
    }
}
