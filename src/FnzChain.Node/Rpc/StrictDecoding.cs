using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FnzChain.Node.Rpc;

/// <summary>
/// Binds the generated gRPC services with request decoders that answer undecodable bytes with
/// <c>INVALID_ARGUMENT "&lt;method&gt;: not a &lt;message&gt;: …"</c>. ASP.NET Core gRPC decodes a unary or
/// server-streaming request before any interceptor runs, and answers a decoder's exception with
/// <c>UNKNOWN "Exception was thrown by handler."</c> and a stack trace in the log: a client's garbage reported as
/// the server's failure. This provider takes the place of gRPC's own (same services, same handlers), only the
/// request decoders differ.
/// </summary>
public static class StrictDecoding
{
    /// <summary>Replaces gRPC's service method provider with <see cref="StrictServiceMethodProvider{TService}"/>; call after <c>AddGrpc</c>.</summary>
    public static IServiceCollection UseStrictRequestDecoding(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builtIn = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType?.Name == "BinderServiceMethodProvider`1").ToList();
        if (builtIn.Count == 0)
        {
            throw new InvalidOperationException("gRPC's service method provider was not found: call AddGrpc first (or gRPC changed how it binds services)");
        }

        foreach (var descriptor in builtIn)
        {
            services.Remove(descriptor);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(StrictServiceMethodProvider<>)));
        return services;
    }

    /// <summary><paramref name="marshaller"/> with a decoder that turns a decoding failure into <c>INVALID_ARGUMENT</c> naming <paramref name="method"/> and the message type.</summary>
    public static Marshaller<T> Strict<T>(Marshaller<T> marshaller, string method)
    {
        ArgumentNullException.ThrowIfNull(marshaller);
        var messageName = typeof(IMessage).IsAssignableFrom(typeof(T)) && typeof(T).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is Google.Protobuf.Reflection.MessageDescriptor descriptor
            ? descriptor.FullName
            : typeof(T).Name;
        var decode = marshaller.ContextualDeserializer;
        return new Marshaller<T>(marshaller.ContextualSerializer, context =>
        {
            try
            {
                return decode(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                // Not logged: the call has no origin here, and ClientFaultLog's budget is per origin. Counted.
                RpcMetrics.Errors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", nameof(StatusCode.InvalidArgument)));
                throw new RpcException(new Status(StatusCode.InvalidArgument, RpcErrorInterceptor.Printable($"{method}: request is not a {messageName}: {e.Message}")));
            }
        });
    }
}

/// <summary>Binds <typeparamref name="TService"/>'s generated methods as gRPC does, with <see cref="StrictDecoding.Strict{T}"/> request decoders.</summary>
public sealed class StrictServiceMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var bind = FindBindMethod();
        if (bind is null)
        {
            return; // not a generated service: nothing of ours to bind
        }

        bind.Invoke(null, [new Binder(context), null]);
    }

    private static MethodInfo? FindBindMethod()
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                return attribute.BindType.GetMethod(
                    attribute.BindMethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(ServiceBinderBase), type]);
            }
        }

        return null;
    }

    /// <summary>Receives each method from the generated <c>BindService</c> and adds it with a strict decoder and an invoker that calls the service's override.</summary>
    private sealed class Binder(ServiceMethodProviderContext<TService> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Strict(method), Metadata(method), Invoker<Grpc.AspNetCore.Server.Model.UnaryServerMethod<TService, TRequest, TResponse>>(method));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Strict(method), Metadata(method), Invoker<Grpc.AspNetCore.Server.Model.ClientStreamingServerMethod<TService, TRequest, TResponse>>(method));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Strict(method), Metadata(method), Invoker<Grpc.AspNetCore.Server.Model.ServerStreamingServerMethod<TService, TRequest, TResponse>>(method));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Strict(method), Metadata(method), Invoker<Grpc.AspNetCore.Server.Model.DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method));

        private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method) =>
            new(method.Type, method.ServiceName, method.Name, StrictDecoding.Strict(method.RequestMarshaller, method.FullName), method.ResponseMarshaller);

        /// <summary>The service's (most derived) public instance method named as the RPC, as an open-instance delegate.</summary>
        private static TDelegate Invoker<TDelegate>(IMethod method)
            where TDelegate : Delegate
        {
            var parameters = typeof(TDelegate).GetMethod("Invoke")!.GetParameters().Skip(1).Select(p => p.ParameterType).ToArray();
            var target = typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService).Name} has no method {method.Name} for {method.FullName}");
            return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), null, target);
        }

        /// <summary>Endpoint metadata as gRPC gives it: the service type's attributes, then the method's.</summary>
        private static List<object> Metadata(IMethod method)
        {
            var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
            var parametersOf = typeof(TService).GetMethods(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(m => m.Name == method.Name);
            if (parametersOf is not null)
            {
                metadata.AddRange(parametersOf.GetCustomAttributes(inherit: true));
            }

            return metadata;
        }
    }
}
