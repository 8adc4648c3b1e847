using Helmholtz.ActiveInference.Discrete;
using Helmholtz.ActiveInference.Fitting;
using Helmholtz.Environments.Discrete;

namespace Helmholtz.Tests.ActiveInference.Fitting;

/// <summary>The behaviour CSV: a round trip, and one clear message naming file, line and column for each kind of bad input.</summary>
public sealed class BehaviourCsvTests
{
    private static readonly GenerativeModel Bandit = TaskModels.ForTwoArmedBandit(new TwoArmedBandit());

    private static BehaviourDataException Bad(string text) =>
        Assert.Throws<BehaviourDataException>(() => BehaviourCsv.Parse(new StringReader(text), Bandit, "b.csv"));

    [Fact]
    public void FormatThenParseGivesTheSameSessions()
    {
        var sessions = new[]
        {
            new BehaviourSession("a", [new BehaviourTrial([[0, 0], [1, 1]], [[0]]), new BehaviourTrial([[0, 0], [2, 2]], [[1]])]),
            new BehaviourSession("b", [new BehaviourTrial([[0, 0], [2, 1]], [[1]])]),
        };
        var back = BehaviourCsv.Parse(new StringReader(BehaviourCsv.Format(sessions)), Bandit);
        Assert.Equal(["a", "b"], back.Select(s => s.Subject));
        Assert.Equal(sessions[0].Trials[1].Observations, back[0].Trials[1].Observations);
        Assert.Equal(sessions[1].Trials[0].Actions, back[1].Trials[0].Actions);
    }

    [Fact]
    public void WrongColumnsNameTheHeaderCell()
    {
        var e = Bad("subject,trial,obs_0,reward,action_0\n");
        Assert.Equal(1, e.Line);
        Assert.Equal(4, e.Column);
        Assert.StartsWith("b.csv, line 1, column 4: header has 'reward' where 'obs_1' belongs", e.Message);
        Assert.Contains("subject,trial,obs_0,obs_1,action_0", e.Message);
    }

    [Fact]
    public void UnknownActionNamesLineColumnAndControls()
    {
        var e = Bad("subject,trial,obs_0,obs_1,action_0\na,0,0,0,0\na,0,1,1,\na,1,0,0,5\na,1,2,1,\n");
        Assert.Equal("b.csv, line 4, column 5 (action_0): unknown action 5: factor 0 has controls 0…1", e.Message);
    }

    [Fact]
    public void NonNumericCellNamesLineAndColumn()
    {
        var e = Bad("subject,trial,obs_0,obs_1,action_0\na,0,0,x,0\n");
        Assert.Equal("b.csv, line 2, column 4 (obs_1): 'x' is not an integer; expected an outcome of modality 1 (0…2)", e.Message);
    }

    [Fact]
    public void ATrialMustEndOnAnObservation()
    {
        var e = Bad("subject,trial,obs_0,obs_1,action_0\na,0,0,0,0\na,1,0,0,1\na,1,2,1,\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("has an action after it", e.Message);
        var wrongCount = Bad("subject,trial,obs_0,obs_1,action_0\na,0,0,0\n");
        Assert.Equal("b.csv, line 2: 4 fields, but the header has 5 ('subject,trial,obs_0,obs_1,action_0')", wrongCount.Message);
    }
}
