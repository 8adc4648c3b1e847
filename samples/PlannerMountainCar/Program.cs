using System.Globalization;
using Helmholtz.ActiveInference.Deep;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

// The ensemble CEM planner maximising the free energy of the expected future (FEEF: expected reward + information
// gain) on mountain car with a sparse reward (reward only at the flag). Prints each episode and how often it succeeded.
// Usage: PlannerMountainCar [episodes]
int episodes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;

var env = new SparseMountainCar();
var options = PlannerOptions.CpuDefault with { Objective = new Objective(ObjectiveKind.Feef) };
var agent = new PlanningAgent(env, options, seed: 1);
var result = new ControlExperiment(env, agent).Run(episodes, new Rng(1), e => Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"episode {e.Episode}: return {e.Result.Return:F1} in {e.Result.Steps} steps, reached the flag: {(e.Success ? "yes" : "no")}, {e.Seconds:F1} s")));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"planner (feef): {result.Successes} of {episodes} episodes reached the flag"));
