namespace Helmholtz.Tests.Samples;

/// <summary>The samples are built and run by CI: a schedule written in user code trains a network.</summary>
public sealed class CustomScheduleSampleTests
{
    [Fact]
    public void MomentumScheduleFromUserCodeLearnsTheDigits()
    {
        // One epoch of 40 batches (2,560 digits): the sample measured 68.35 %; ten classes give 10 % by chance.
        double accuracy = CustomSchedule.Program.Run(epochs: 1, maxBatches: 40);
        Assert.True(accuracy > 0.5, $"test accuracy {accuracy:P2} after 40 batches of the momentum schedule; expected above 50 %");
    }
}
