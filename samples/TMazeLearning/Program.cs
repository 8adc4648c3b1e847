// A discrete active inference agent whose generative model is a file: the T-maze in which the agent does not know
// which arm pays in which context (flat Dirichlet counts pA over the reward outcome). Each trial it infers states,
// scores policies by expected free energy (with the information gain about pA), acts, and updates pA from what it saw.
//   dotnet run --project samples/TMazeLearning -c Release -- [MODEL.json] [TRIALS]
using System.Globalization;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

string path = args.Length > 0 ? args[0] : "examples/aif/tmaze-learn.json";
int trials = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;

var model = ModelFile.Load(path); // validated: every column of A and B sums to one, shapes agree, options in range
var maze = new TMaze(new TMazeOptions { RewardProbability = 0.98 });
var runner = new TrialRunner(maze, new Agent(model), new LearningSchedule([TaskModels.TMazeRewardModality]));
var results = runner.Run(trials, new Rng(1));

int Rewarded(IEnumerable<DiscreteTrial> some) => some.Count(t => t.FinalObservation[TaskModels.TMazeRewardModality] == 1);
int window = Math.Min(20, trials);
Console.WriteLine($"{trials} trials of {Path.GetFileName(path)}: rewarded in {Rewarded(results.Take(window))} of the first {window}, "
    + $"{Rewarded(results.TakeLast(window))} of the last {window}");

var learned = TaskModels.TMazeRewardContingency(runner.Agent.A); // P(reward | arm, context) after learning
for (int arm = 0; arm < learned.GetLength(0); arm++)
{
    var row = Enumerable.Range(0, learned.GetLength(1)).Select(c => learned[arm, c].ToString("F2", CultureInfo.InvariantCulture));
    Console.WriteLine($"learned P(reward | arm {arm + 1}, context 1..{learned.GetLength(1)}): {string.Join(" ", row)}");
}
