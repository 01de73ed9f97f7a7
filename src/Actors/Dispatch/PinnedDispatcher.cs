namespace ActorVisor.Actors;

/// <summary>
/// Gives every actor its own dedicated thread (for physical CPUs). The thread sleeps on a
/// semaphore between runs and ends when the actor stops; a closed mailbox that still receives
/// messages is drained on the thread pool.
/// </summary>
internal sealed class PinnedDispatcher(string id, int throughput) : MessageDispatcher(id, throughput)
{
    public override void Attach(Mailbox mailbox)
    {
        var worker = new Worker(mailbox);
        mailbox.DispatcherState = worker;
        worker.Start();
    }

    public override void Detach(Mailbox mailbox)
    {
        if (mailbox.DispatcherState is Worker worker)
        {
            worker.Stop();
        }
    }

    public override void Execute(Mailbox mailbox)
    {
        if (mailbox.DispatcherState is Worker { IsStopping: false } worker)
        {
            worker.Signal();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);
        }
    }

    private sealed class Worker(Mailbox mailbox)
    {
        private readonly SemaphoreSlim _signal = new(0);
        private volatile bool _stopping;

        public bool IsStopping => _stopping;

        public void Start()
        {
            var thread = new Thread(Loop)
            {
                IsBackground = true,
                Name = "pinned " + mailbox.Cell.Self.Path.ToStringWithoutAddress(),
            };
            thread.Start();
        }

        public void Signal() => _signal.Release();

        public void Stop() => _stopping = true;

        private void Loop()
        {
            while (true)
            {
                _signal.Wait();
                mailbox.Run();
                if (_stopping)
                {
                    return;
                }
            }
        }
    }
}
