package dev.berth.daemon.cri;

import dev.berth.cri.api.v1.ImageFsInfoRequest;
import dev.berth.cri.api.v1.ImageServiceGrpc;
import dev.berth.cri.api.v1.ListContainersRequest;
import dev.berth.cri.api.v1.ListImagesRequest;
import dev.berth.cri.api.v1.ListPodSandboxRequest;
import dev.berth.cri.api.v1.PodSandboxStatusRequest;
import dev.berth.cri.api.v1.RuntimeServiceGrpc;
import dev.berth.cri.api.v1.StatusRequest;
import dev.berth.cri.api.v1.VersionRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The CRI part of berthd's AOT training run (bin/build, decision 3200): connects to the training
 * berthd's CRI socket again and again, a new connection each round as every crictl command makes,
 * and sends the calls each command begins with plus a few reads and a NotFound. berthd, which
 * records its AOT cache meanwhile, then has the classes and method profiles of its gRPC server's
 * per-connection and per-call path. Not a user command.
 * Arguments: the CRI socket's path, the number of rounds.
 */
public final class CriTraining {
  private CriTraining() {}

  public static void main(String[] args) throws InterruptedException {
    String socket = args[0].startsWith("unix://") ? args[0].substring("unix://".length()) : args[0];
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    try {
      for (int i = 0; i < rounds; i++) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket))
            .channelType(EpollDomainSocketChannel.class).eventLoopGroup(loop).usePlaintext().build();
        try {
          RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime = RuntimeServiceGrpc.newBlockingStub(channel);
          ImageServiceGrpc.ImageServiceBlockingStub images = ImageServiceGrpc.newBlockingStub(channel);
          runtime.version(VersionRequest.getDefaultInstance());
          runtime.status(StatusRequest.getDefaultInstance());
          runtime.listPodSandbox(ListPodSandboxRequest.getDefaultInstance());
          runtime.listContainers(ListContainersRequest.getDefaultInstance());
          images.listImages(ListImagesRequest.getDefaultInstance());
          images.imageFsInfo(ImageFsInfoRequest.getDefaultInstance());
          try {
            runtime.podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId("aot-training").build());
          } catch (StatusRuntimeException notFound) {
            // expected: the error path is part of the training
          }
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
