using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Helmholtz.ActiveInference.Fitting;

/// <summary>Settings of a maximum a posteriori fit: the free parameters with their priors, the optimiser's limits, the group prior.</summary>
public sealed record FitOptions
{
    /// <summary>One prior per free parameter, in the order estimates are reported; parameters not listed keep their fixed values.</summary>
    public IReadOnlyList<ParameterPrior> Priors { get; init; } = [];

    /// <summary>Nelder–Mead's limit on iterations (MathNet's NelderMeadSimplex; the search on the transformed scales).</summary>
    public int MaxIterations { get; init; } = 400;

    /// <summary>Nelder–Mead's convergence tolerance on the negative log posterior.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Polish Nelder–Mead's optimum with BFGS (MathNet's BfgsMinimizer) on a central-difference gradient.</summary>
    public bool PolishWithBfgs { get; init; } = true;

    /// <summary>Step of the central differences of the gradient, on the transformed scales.</summary>
    public double GradientStep { get; init; } = 1e-4;

    /// <summary>Step of the central differences of the Hessian (Laplace standard errors), on the transformed scales.</summary>
    public double HessianStep { get; init; } = 1e-3;

    /// <summary>Empirical Bayes iterations of a group-level prior: after each, every prior becomes N(mean, variance) of the subjects' Laplace posteriors and all subjects are refitted. 0: the stated priors only.</summary>
    public int GroupIterations { get; init; }

    /// <summary>Subjects fitted at once (one thread each); null: one per processor.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal void Check()
    {
        if (Priors.Count == 0)
        {
            throw new ArgumentException("Priors: at least one free parameter is required");
        }

        if (Priors.Select(p => p.Parameter).Distinct().Count() != Priors.Count)
        {
            throw new ArgumentException("Priors: a parameter is listed twice");
        }

        if (Priors.Any(p => !(p.Sd > 0 && double.IsFinite(p.Sd) && double.IsFinite(p.Mean))))
        {
            throw new ArgumentException("Priors: every Sd must be positive and every Mean finite");
        }

        if (MaxIterations < 1 || !(Tolerance > 0) || !(GradientStep > 0) || !(HessianStep > 0) || GroupIterations < 0 || MaxDegreeOfParallelism is < 1)
        {
            throw new ArgumentException("MaxIterations, Tolerance, GradientStep, HessianStep and MaxDegreeOfParallelism must be positive and GroupIterations ≥ 0");
        }
    }
}

/// <summary>One subject's MAP estimate with its Laplace approximation.</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Choices">Number of choices fitted.</param>
/// <param name="Estimates">The parameters at the MAP (natural scale; fixed ones at their fixed values).</param>
/// <param name="Transformed">The free parameters' MAP on their transformed scales, in the order of the priors.</param>
/// <param name="TransformedSe">Laplace standard errors on the transformed scales: √diag(H⁻¹), H the finite-difference Hessian of the negative log posterior; NaN where H is not positive definite.</param>
/// <param name="NaturalSe">Delta-method standard errors on the natural scale: |dx/dz| × TransformedSe.</param>
/// <param name="LogLikelihood">ln p(choices | MAP).</param>
/// <param name="LogPosterior">ln p(choices | MAP) + ln prior(MAP) (unnormalised log posterior).</param>
/// <param name="Evaluations">Likelihood evaluations spent on this subject.</param>
public sealed record SubjectFit(string Subject, int Choices, AgentParameters Estimates, double[] Transformed, double[] TransformedSe, double[] NaturalSe,
    double LogLikelihood, double LogPosterior, int Evaluations)
{
    /// <summary>Whether the Laplace approximation exists (the Hessian is positive definite).</summary>
    public bool HasStandardErrors => TransformedSe.All(double.IsFinite);
}

/// <summary>The fits of all subjects.</summary>
/// <param name="Parameters">The free parameters, in the order of the estimate arrays.</param>
/// <param name="Priors">The priors of the last round (the group prior after empirical Bayes).</param>
/// <param name="Subjects">One fit per session, in input order.</param>
public sealed record BehaviourFit(IReadOnlyList<FitParameter> Parameters, IReadOnlyList<ParameterPrior> Priors, IReadOnlyList<SubjectFit> Subjects);

/// <summary>
/// Maximum a posteriori fits of agent parameters to behaviour, subject by subject (in parallel), with Laplace standard
/// errors and an optional empirical-Bayes group prior.
/// </summary>
/// <remarks>
/// The objective is −ln p(choices | θ(z)) − Σ_k ln N(z_k; μ_k, σ_k²) on the transformed scales z (<see cref="ParameterScale"/>).
/// It is minimised by MathNet.Numerics' Nelder–Mead simplex from the prior means, then polished by MathNet's BFGS on a
/// central-difference gradient; the best point either reached is kept. Standard errors: the Hessian of the objective by
/// central finite differences at the optimum (step <see cref="FitOptions.HessianStep"/>), inverted; the Laplace
/// posterior is N(ẑ, H⁻¹). The group prior (<see cref="FitOptions.GroupIterations"/>) is the EM update of a normal
/// population under the Laplace posteriors: μ = mean ẑ_i, σ² = mean((ẑ_i − μ)² + s_i²).
/// </remarks>
/// <param name="likelihood">The choice likelihood (an agent implementation).</param>
/// <param name="fixedValues">The values of the parameters that are not fitted (and the base for those that are).</param>
/// <param name="options">The priors and the optimiser's settings.</param>
public sealed class BehaviourFitter(IChoiceLikelihood likelihood, AgentParameters fixedValues, FitOptions options)
{
    private readonly IChoiceLikelihood _likelihood = likelihood ?? throw new ArgumentNullException(nameof(likelihood));
    private readonly AgentParameters _fixed = fixedValues ?? throw new ArgumentNullException(nameof(fixedValues));
    private readonly FitOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Fits every session; <paramref name="progress"/> counts finished subject fits (over all group rounds).</summary>
    public BehaviourFit Fit(IReadOnlyList<BehaviourSession> sessions, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        _options.Check();
        var priors = _options.Priors.ToArray();
        var parameters = priors.Select(p => p.Parameter).ToArray();
        var fits = new SubjectFit[sessions.Count];
        int done = 0;
        for (int round = 0; round <= _options.GroupIterations; round++)
        {
            var roundPriors = priors;
            var previous = round == 0 ? null : (SubjectFit[])fits.Clone();
            Parallel.For(0, sessions.Count, new ParallelOptions
            {
                MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
                CancellationToken = cancellationToken,
            }, i =>
            {
                fits[i] = FitOne(sessions[i], roundPriors, previous?[i].Transformed, cancellationToken);
                progress?.Report(Interlocked.Increment(ref done));
            });

            if (round < _options.GroupIterations)
            {
                priors = GroupPrior(parameters, fits, priors);
            }
        }

        return new BehaviourFit(parameters, priors, fits);
    }

    /// <summary>Fits one session with <paramref name="priors"/>, starting at <paramref name="start"/> (the prior means when null).</summary>
    public SubjectFit FitOne(BehaviourSession session, IReadOnlyList<ParameterPrior> priors, double[]? start = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(priors);
        var objective = new Objective(_likelihood, _fixed, session, priors.ToArray(), cancellationToken);
        int k = priors.Count;
        var z0 = Vector<double>.Build.DenseOfArray(start ?? priors.Select(p => p.Mean).ToArray());
        try
        {
            new NelderMeadSimplex(_options.Tolerance, _options.MaxIterations).FindMinimum(ObjectiveFunction.Value(objective.Value), z0);
        }
        catch (MaximumIterationsException)
        {
            // The best point seen so far is kept by the objective; BFGS goes on from there.
        }

        if (_options.PolishWithBfgs)
        {
            try
            {
                var fromBest = Vector<double>.Build.DenseOfArray(objective.Best);
                new BfgsMinimizer(1e-5, 1e-8, 1e-10, 100).FindMinimum(ObjectiveFunction.Gradient(z => objective.ValueAndGradient(z, _options.GradientStep)), fromBest);
            }
            catch (Exception ex) when (ex is MaximumIterationsException or InnerOptimizationException or EvaluationException or ArgumentException)
            {
                // A line search that cannot improve on a point that is already optimal to the gradient's accuracy.
            }
        }

        var zHat = objective.Best;
        double negLogPost = objective.BestValue;
        var hessian = objective.Hessian(zHat, _options.HessianStep);
        var se = new double[k];
        Array.Fill(se, double.NaN);
        var h = Matrix<double>.Build.DenseOfArray(hessian);
        var chol = h.Cholesky();
        if (h.Enumerate().All(double.IsFinite) && chol.Factor.Diagonal().All(d => d > 0 && double.IsFinite(d)))
        {
            var cov = chol.Solve(Matrix<double>.Build.DenseIdentity(k));
            for (int j = 0; j < k; j++)
            {
                se[j] = Math.Sqrt(cov[j, j]);
            }
        }

        var estimates = _fixed.WithTransformed(objective.Parameters, zHat);
        var natural = new double[k];
        for (int j = 0; j < k; j++)
        {
            natural[j] = Math.Abs(ParameterScale.Derivative(priors[j].Parameter, zHat[j])) * se[j];
        }

        double logPrior = 0;
        for (int j = 0; j < k; j++)
        {
            logPrior += priors[j].LogDensity(zHat[j]);
        }

        return new SubjectFit(session.Subject, session.Choices, estimates, zHat, se, natural, -negLogPost - logPrior, -negLogPost, objective.Evaluations);
    }

    private static ParameterPrior[] GroupPrior(FitParameter[] parameters, SubjectFit[] fits, ParameterPrior[] previous)
    {
        var next = new ParameterPrior[parameters.Length];
        for (int j = 0; j < parameters.Length; j++)
        {
            var usable = fits.Where(f => f.HasStandardErrors).ToArray();
            if (usable.Length < 2)
            {
                next[j] = previous[j];
                continue;
            }

            double mean = usable.Average(f => f.Transformed[j]);
            double variance = usable.Average(f => ((f.Transformed[j] - mean) * (f.Transformed[j] - mean)) + (f.TransformedSe[j] * f.TransformedSe[j]));
            next[j] = new ParameterPrior(parameters[j], mean, Math.Sqrt(variance));
        }

        return next;
    }

    // The negative log posterior on the transformed scales, keeping the best point it has been evaluated at.
    private sealed class Objective(IChoiceLikelihood likelihood, AgentParameters fixedValues, BehaviourSession session, ParameterPrior[] priors, CancellationToken ct)
    {
        public FitParameter[] Parameters { get; } = priors.Select(p => p.Parameter).ToArray();

        public double[] Best { get; private set; } = priors.Select(p => p.Mean).ToArray();

        public double BestValue { get; private set; } = double.PositiveInfinity;

        public int Evaluations { get; private set; }

        public double Value(Vector<double> z) => Evaluate([z.ToArray()])[0];

        public (double, Vector<double>) ValueAndGradient(Vector<double> z, double step)
        {
            int k = z.Count;
            var points = new double[(2 * k) + 1][];
            points[0] = z.ToArray();
            for (int j = 0; j < k; j++)
            {
                points[1 + (2 * j)] = z.ToArray();
                points[1 + (2 * j)][j] += step;
                points[2 + (2 * j)] = z.ToArray();
                points[2 + (2 * j)][j] -= step;
            }

            var v = Evaluate(points);
            var g = Vector<double>.Build.Dense(k);
            for (int j = 0; j < k; j++)
            {
                g[j] = (v[1 + (2 * j)] - v[2 + (2 * j)]) / (2 * step);
            }

            return (v[0], g);
        }

        // Central differences: H_jj = (f(+h) − 2f + f(−h)) / h², H_jl = (f(++) − f(+−) − f(−+) + f(−−)) / 4h².
        public double[,] Hessian(double[] z, double h)
        {
            int k = z.Length;
            var points = new List<double[]> { (double[])z.Clone() };
            double[] Shift(params (int Index, double By)[] moves)
            {
                var p = (double[])z.Clone();
                foreach (var (i, by) in moves)
                {
                    p[i] += by;
                }

                return p;
            }

            for (int j = 0; j < k; j++)
            {
                points.Add(Shift((j, h)));
                points.Add(Shift((j, -h)));
            }

            for (int j = 0; j < k; j++)
            {
                for (int l = j + 1; l < k; l++)
                {
                    points.Add(Shift((j, h), (l, h)));
                    points.Add(Shift((j, h), (l, -h)));
                    points.Add(Shift((j, -h), (l, h)));
                    points.Add(Shift((j, -h), (l, -h)));
                }
            }

            var v = Evaluate([.. points]);
            var hess = new double[k, k];
            for (int j = 0; j < k; j++)
            {
                hess[j, j] = (v[1 + (2 * j)] - (2 * v[0]) + v[2 + (2 * j)]) / (h * h);
            }

            int at = 1 + (2 * k);
            for (int j = 0; j < k; j++)
            {
                for (int l = j + 1; l < k; l++)
                {
                    hess[j, l] = hess[l, j] = (v[at] - v[at + 1] - v[at + 2] + v[at + 3]) / (4 * h * h);
                    at += 4;
                }
            }

            return hess;
        }

        private double[] Evaluate(double[][] points)
        {
            var parameters = new AgentParameters[points.Length];
            for (int i = 0; i < points.Length; i++)
            {
                parameters[i] = fixedValues.WithTransformed(Parameters, points[i]);
            }

            var logLik = new double[points.Length];
            likelihood.LogLikelihoods(session, parameters, logLik, ct);
            Evaluations += points.Length;
            var values = new double[points.Length];
            for (int i = 0; i < points.Length; i++)
            {
                double v = -logLik[i];
                for (int j = 0; j < priors.Length; j++)
                {
                    v -= priors[j].LogDensity(points[i][j]);
                }

                // Parameters so extreme that a probability underflows: a large finite value keeps the simplex moving.
                values[i] = double.IsFinite(v) ? v : 1e300;
                if (values[i] < BestValue)
                {
                    BestValue = values[i];
                    Best = (double[])points[i].Clone();
                }
            }

            return values;
        }
    }
}
